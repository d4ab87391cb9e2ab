import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { allowedRedirect } from '../common/redirect-url.js';
import { AppConfig } from '../config/app-config.js';
import {
  type ConnectedAccountState,
  PAYMENTS,
  type PaymentsDriver,
} from '../payments/payments.interface.js';
import type { User } from '../users/user.entity.js';
import type {
  DashboardLinkDto,
  OnboardingLinkDto,
  PayoutsDto,
  StartOnboardingDto,
} from './dto/payouts.dto.js';
import { PayoutAccount } from './payout-account.entity.js';
import { PayoutStatus, payoutStatus } from './payout-status.js';
import { type FeeRule, platformFee } from './platform-fee.js';

/** Where a sale's money goes in `connect` mode, and the platform's part of it. */
export interface SaleTransfer {
  destination: string;
  feeCents: number;
}

/**
 * Creator payouts: in `connect` mode each creator has a connected account with the payments
 * provider, and every paid sale is a destination charge to it, less the platform fee.
 */
@Injectable()
export class PayoutsService {
  private readonly logger = new Logger(PayoutsService.name);
  /** Called when a creator's ability to take payments may have changed (e.g. caches). */
  private readonly listeners = new Set<() => void>();

  constructor(
    @InjectRepository(PayoutAccount) private readonly accounts: Repository<PayoutAccount>,
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly config: AppConfig,
  ) {}

  get connect(): boolean {
    return this.config.payouts.mode === 'connect';
  }

  get feeRule(): FeeRule {
    return { bps: this.config.payouts.feeBps, fixedCents: this.config.payouts.feeFixedCents };
  }

  /**
   * An SQL expression, true when the creator named by `creatorIdColumn` can take charges now:
   * always in `platform` mode. Only constants are inlined (the driver's name), never input.
   */
  canTakeChargesSql(creatorIdColumn: string): string {
    if (!this.connect) return 'true';
    return `coalesce((SELECT pa.charges_enabled AND pa.account_id IS NOT NULL FROM payout_accounts pa
      WHERE pa.creator_id = ${creatorIdColumn} AND pa.provider = '${this.payments.name}'), false)`;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** The caller's payouts status; an existing account is re-read from the provider first. */
  async status(creator: User): Promise<PayoutsDto> {
    if (!this.connect) return this.platformStatus();
    let row = await this.find(creator.id);
    const accountId = row?.accountId;
    if (accountId) {
      try {
        const state = await this.payments.getConnectedAccount(accountId);
        await this.applyAccount(this.accounts.manager, this.payments.name, state, 'now');
        row = await this.find(creator.id);
      } catch (error) {
        // What is stored is still the last known truth; account.updated will catch up.
        this.logger.warn(`Could not re-read account ${accountId}: ${String(error)}`);
      }
    }
    return this.toDto(row);
  }

  /** A fresh onboarding link, creating the creator's connected account on the first call. */
  async onboarding(creator: User, dto: StartOnboardingDto): Promise<OnboardingLinkDto> {
    this.requireConnect();
    const returnUrl =
      allowedRedirect(this.config, dto.returnUrl, 'returnUrl') ??
      `${this.config.publicUrl}/payouts/return`;
    const refreshUrl =
      allowedRedirect(this.config, dto.refreshUrl, 'refreshUrl') ??
      `${this.config.publicUrl}/payouts/refresh`;
    const accountId = await this.ensureAccount(creator);
    return this.payments.createOnboardingLink({ accountId, returnUrl, refreshUrl });
  }

  /** A link into the creator's Express dashboard, once they have submitted their details. */
  async dashboard(creator: User): Promise<DashboardLinkDto> {
    this.requireConnect();
    const row = await this.find(creator.id);
    // Stripe makes login links only for accounts that finished onboarding.
    if (!row?.accountId || !row.detailsSubmitted) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.PayoutsNotStarted,
        'Finish payouts onboarding first (POST /creator/payouts/onboarding)',
      );
    }
    return this.payments.createDashboardLink(row.accountId);
  }

  /**
   * Where a new paid sale of this creator's goes: null in `platform` mode (the operator's own
   * account). 409 CREATOR_CANNOT_ACCEPT_PAYMENTS when the creator cannot take charges now.
   */
  async transferFor(creatorId: string, priceCents: number): Promise<SaleTransfer | null> {
    if (!this.connect || priceCents === 0) return null;
    const row = await this.find(creatorId);
    if (!row?.accountId || !row.chargesEnabled) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.CreatorCannotAcceptPayments,
        'The creator of this product cannot accept payments yet; try again later',
      );
    }
    return { destination: row.accountId, feeCents: platformFee(priceCents, this.feeRule) };
  }

  /**
   * Stores an account's state as the provider reported it at `at` (seconds since the epoch, or
   * `now` for a state just read), unless a newer one is stored: events may arrive twice and in
   * any order. Runs in the caller's transaction. `ignored` for an account that is not ours.
   */
  async applyAccount(
    m: EntityManager,
    provider: string,
    state: ConnectedAccountState,
    at: number | 'now',
  ): Promise<'applied' | 'ignored'> {
    // Stripe stamps events in whole seconds: a state read now counts as of this second, so an
    // event from the same second still applies (of two states from one second, the later
    // arrival wins; the next event or re-read settles it).
    const when = at === 'now' ? `date_trunc('second', now())` : 'to_timestamp($9)';
    // TypeORM answers an UPDATE with [rows, number of rows changed].
    const [, changed] = await m.query<[unknown[], number]>(
      `UPDATE payout_accounts SET charges_enabled = $3, payouts_enabled = $4,
        details_submitted = $5, requirements_due = $6, past_due = $7, disabled_reason = $8,
        synced_at = ${when}, updated_at = now()
      WHERE provider = $1 AND account_id = $2 AND (synced_at IS NULL OR synced_at <= ${when})`,
      [
        provider,
        state.accountId,
        state.chargesEnabled,
        state.payoutsEnabled,
        state.detailsSubmitted,
        JSON.stringify(state.requirementsDue),
        JSON.stringify(state.pastDue),
        state.disabledReason,
        ...(at === 'now' ? [] : [at]),
      ],
    );
    if (changed === 0) return 'ignored';
    for (const listener of this.listeners) listener();
    return 'applied';
  }

  private async ensureAccount(creator: User): Promise<string> {
    const provider = this.payments.name;
    // The row first: of two concurrent first calls, both then ask the provider with the same
    // idempotency key (one account), and only one stores it.
    await this.accounts
      .createQueryBuilder()
      .insert()
      .into(PayoutAccount)
      .values({ creatorId: creator.id, provider })
      .orIgnore()
      .execute();
    const existing = await this.find(creator.id);
    if (existing?.accountId) return existing.accountId;
    const state = await this.payments.createConnectedAccount({
      idempotencyKey: `connect-account-${creator.id}`,
      email: creator.email,
      creatorId: creator.id,
    });
    const stored = await this.accounts
      .createQueryBuilder()
      .update(PayoutAccount)
      .set({ accountId: state.accountId })
      .where('creator_id = :creatorId AND provider = :provider AND account_id IS NULL', {
        creatorId: creator.id,
        provider,
      })
      .execute();
    if (stored.affected === 0) {
      const winner = await this.find(creator.id);
      if (winner?.accountId !== state.accountId) {
        this.logger.error(
          `Creator ${creator.id} got account ${state.accountId} while ${winner?.accountId} was stored; delete the spare one`,
        );
      }
      return winner?.accountId ?? state.accountId;
    }
    await this.applyAccount(this.accounts.manager, provider, state, 'now');
    return state.accountId;
  }

  private find(creatorId: string): Promise<PayoutAccount | null> {
    return this.accounts.findOneBy({ creatorId, provider: this.payments.name });
  }

  private requireConnect(): void {
    if (!this.connect) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.Conflict,
        'Payouts are handled by the platform here (PAYOUTS_MODE=platform): there is nothing to onboard',
      );
    }
  }

  private platformStatus(): PayoutsDto {
    return {
      mode: 'platform',
      status: PayoutStatus.Enabled,
      chargesEnabled: true,
      payoutsEnabled: true,
      requirementsDue: [],
    };
  }

  private toDto(row: PayoutAccount | null): PayoutsDto {
    const account = row?.accountId ? row : null;
    return {
      mode: 'connect',
      status: payoutStatus(account),
      chargesEnabled: account?.chargesEnabled ?? false,
      payoutsEnabled: account?.payoutsEnabled ?? false,
      requirementsDue: account?.requirementsDue ?? [],
    };
  }
}
