import { randomBytes } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import type { Repository, UpdateQueryBuilder } from 'typeorm';
import { DomainException, notFound } from '../../common/domain.exception.js';
import { ErrorCode } from '../../common/error-codes.js';
import type {
  CheckoutSession,
  CheckoutState,
  ConnectedAccountState,
  CreateCheckoutParams,
  CreateConnectedAccountParams,
  PaymentEvent,
  PaymentsDriver,
  RefundParams,
  WebhookRequest,
} from '../payments.interface.js';
import { SimulatedConnectedAccount, SimulatedRefund } from '../simulated-connect.entities.js';
import {
  SimulatedCheckoutSession,
  SimulatedCheckoutStatus,
  SimulatedDisputeStatus,
  SimulatedPaymentStatus,
} from '../simulated-checkout-session.entity.js';

/** How long a simulated checkout stays open, as the Stripe driver asks of Stripe. */
export const SIMULATED_CHECKOUT_TTL_MINUTES = 30;

/**
 * What the Pay button asks for. `success` pays at once; `decline` is a refused card (nothing
 * changes, the buyer may try again); `async_success` / `async_failure` complete the checkout
 * unpaid and then settle it, like a bank debit.
 */
export type SimulatedPayOutcome = 'success' | 'decline' | 'async_success' | 'async_failure';
export const SIMULATED_PAY_OUTCOMES: readonly SimulatedPayOutcome[] = [
  'success',
  'decline',
  'async_success',
  'async_failure',
];

/** One simulated checkout as the checkout page shows it. */
export interface SimulatedCheckoutView {
  sessionId: string;
  purchaseId: string;
  productId: string;
  productTitle: string;
  amountCents: number;
  currency: string;
  buyerEmail: string;
  /** As the provider reports it now: an open session past its expiry reads as expired. */
  status: CheckoutState['status'];
  paymentStatus: 'paid' | 'unpaid';
  paymentId: string | null;
  successUrl: string;
  cancelUrl: string;
  expiresAt: Date;
}

export interface SimulatedPayResult {
  /**
   * `completed`: this call completed the checkout (events to process follow);
   * `declined`: nothing happened, the session stays open (see `reason`);
   * `not_open`: the session was already completed or has expired (e.g. a second click).
   */
  result: 'completed' | 'declined' | 'not_open';
  /** The session after the call. */
  session: SimulatedCheckoutView;
  /** In delivery order, as a provider would send them; empty unless `completed`. */
  events: PaymentEvent[];
  reason?: string;
}

type ChargeRefunded = Extract<PaymentEvent, { type: 'charge.refunded' }>;
type DisputeCreated = Extract<PaymentEvent, { type: 'dispute.created' }>;
type DisputeClosed = Extract<PaymentEvent, { type: 'dispute.closed' }>;
type CheckoutExpired = Extract<PaymentEvent, { type: 'checkout.expired' }>;
type AccountUpdated = Extract<PaymentEvent, { type: 'account.updated' }>;

/** How long a simulated onboarding link stays valid, as Stripe's Account Links do (minutes). */
export const SIMULATED_ONBOARDING_LINK_TTL_MINUTES = 10;

/** What a new account still has to provide, as Stripe lists it for an Express account. */
const INITIAL_REQUIREMENTS = [
  'business_type',
  'external_account',
  'individual.first_name',
  'individual.last_name',
  'tos_acceptance.date',
];

/** One simulated onboarding link as its page shows it. */
export interface SimulatedOnboardingView {
  accountId: string;
  email: string;
  account: ConnectedAccountState;
  /** Past its expiry (or already used): the page sends the creator to `refreshUrl`. */
  expired: boolean;
  returnUrl: string;
  refreshUrl: string;
}

/** A row as RETURNING gives it: column names, not property names. */
interface SessionRow {
  id: string;
  purchase_id: string;
  product_id: string;
  product_title: string;
  amount_cents: number;
  currency: string;
  buyer_email: string;
  success_url: string;
  cancel_url: string;
  status: SimulatedCheckoutStatus;
  payment_status: SimulatedPaymentStatus;
  payment_id: string | null;
  amount_refunded_cents: number;
  dispute_status: SimulatedDisputeStatus | null;
  created_at: Date;
  expires_at: Date;
  /** Open but past its expiry, by the database's clock. */
  lapsed: boolean;
}

const randomId = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
// The shape randomId('sim_cs_') makes: anything else names no session and never reaches SQL.
const SESSION_ID = /^sim_cs_[0-9a-f]{24}$/;
const eventId = () => randomId('sim_evt_');
const LINK_ID = /^sim_link_[0-9a-f]{24}$/;
const ACCOUNT_ID = /^sim_acct_[0-9a-f]{24}$/;
const nowSeconds = () => Date.now() / 1000;

function toAccountState(account: SimulatedConnectedAccount): ConnectedAccountState {
  const pastDue =
    account.disabledReason === 'requirements.past_due' ? [...account.requirementsDue] : [];
  return {
    accountId: account.id,
    chargesEnabled: account.chargesEnabled,
    payoutsEnabled: account.payoutsEnabled,
    detailsSubmitted: account.detailsSubmitted,
    requirementsDue: [...account.requirementsDue],
    pastDue,
    disabledReason: account.disabledReason,
  };
}

/**
 * The payments provider for demos and local use: a checkout page served by the app itself,
 * with its sessions in its own table. It produces the same normalised events as Stripe, so
 * every path runs through the same fulfilment code. It sends no webhooks: the caller of
 * pay/refund/dispute hands the returned events to fulfilment itself.
 */
export class SimulatedPaymentsDriver implements PaymentsDriver {
  readonly name = 'simulated' as const;

  constructor(
    private readonly sessions: Repository<SimulatedCheckoutSession>,
    private readonly publicUrl: string,
    private readonly accounts: Repository<SimulatedConnectedAccount>,
  ) {}

  async createCheckout(params: CreateCheckoutParams): Promise<CheckoutSession> {
    const result = await this.sessions
      .createQueryBuilder()
      .insert()
      .into(SimulatedCheckoutSession)
      .values({
        id: randomId('sim_cs_'),
        purchaseId: params.purchaseId,
        productId: params.productId,
        productTitle: params.productTitle,
        amountCents: params.amountCents,
        currency: params.currency,
        buyerEmail: params.buyerEmail,
        successUrl: params.successUrl,
        cancelUrl: params.cancelUrl,
        // The database's clock decides expiry everywhere, so app instances never disagree.
        expiresAt: () => `now() + interval '${SIMULATED_CHECKOUT_TTL_MINUTES} minutes'`,
      })
      .returning('*')
      .execute();
    const row = (result.raw as Pick<SessionRow, 'id' | 'expires_at'>[])[0];
    return {
      sessionId: row.id,
      url: `${this.publicUrl}/checkout/simulated/${row.id}`,
      expiresAt: row.expires_at,
    };
  }

  async getCheckout(sessionId: string): Promise<CheckoutState> {
    const row = await this.find(sessionId);
    if (row === null) throw notFound('Checkout session');
    return this.toState(row);
  }

  async expireCheckout(sessionId: string): Promise<CheckoutState> {
    if (!SESSION_ID.test(sessionId)) throw notFound('Checkout session');
    const rows = await this.update((qb) =>
      qb
        .set({ status: SimulatedCheckoutStatus.Expired })
        .where('id = :sessionId AND status = :open', {
          sessionId,
          open: SimulatedCheckoutStatus.Open,
        }),
    );
    return rows.length > 0 ? this.toState(rows[0]) : this.getCheckout(sessionId);
  }

  parseWebhook(_request: WebhookRequest): PaymentEvent {
    throw new DomainException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.WebhookSignatureInvalid,
      'The simulated payments provider sends no webhooks',
    );
  }

  checkReady(): Promise<void> {
    return Promise.resolve();
  }

  /** For the checkout page; null when there is no such session. */
  async getSession(sessionId: string): Promise<SimulatedCheckoutView | null> {
    const row = await this.find(sessionId);
    return row === null ? null : this.toView(row);
  }

  /**
   * The Pay button. One conditional UPDATE completes the session, so of two concurrent clicks
   * exactly one gets `completed` and the events; the other gets `not_open`.
   */
  async pay(
    sessionId: string,
    options: { outcome?: SimulatedPayOutcome } = {},
  ): Promise<SimulatedPayResult> {
    const outcome = options.outcome ?? 'success';
    // The outcome may come from a form field: never let an unknown value read as paid.
    if (!SIMULATED_PAY_OUTCOMES.includes(outcome)) {
      throw new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        `outcome must be one of ${SIMULATED_PAY_OUTCOMES.join(', ')}`,
      );
    }
    if (outcome === 'decline') {
      const row = await this.find(sessionId);
      if (row === null) throw notFound('Checkout session');
      const view = this.toView(row);
      if (view.status !== 'open') return { result: 'not_open', session: view, events: [] };
      return {
        result: 'declined',
        session: view,
        events: [],
        reason: 'The card was declined (simulated). No money moved; try again.',
      };
    }
    if (!SESSION_ID.test(sessionId)) throw notFound('Checkout session');
    const finalPaymentStatus =
      outcome === 'async_failure' ? SimulatedPaymentStatus.Unpaid : SimulatedPaymentStatus.Paid;
    const rows = await this.update((qb) =>
      qb
        .set({
          status: SimulatedCheckoutStatus.Complete,
          paymentStatus: finalPaymentStatus,
          paymentId: randomId('sim_pi_'),
        })
        .where('id = :sessionId AND status = :open AND expires_at > now()', {
          sessionId,
          open: SimulatedCheckoutStatus.Open,
        }),
    );
    if (rows.length === 0) {
      const row = await this.find(sessionId);
      if (row === null) throw notFound('Checkout session');
      return { result: 'not_open', session: this.toView(row), events: [] };
    }
    const row = rows[0];
    const paid = this.toState(row);
    // Asynchronous methods complete unpaid first and settle in a second event.
    const pending: CheckoutState = { ...paid, paymentStatus: 'unpaid' };
    const events: PaymentEvent[] =
      outcome === 'success'
        ? [{ id: eventId(), type: 'checkout.completed', checkout: paid }]
        : [
            { id: eventId(), type: 'checkout.completed', checkout: pending },
            outcome === 'async_success'
              ? { id: eventId(), type: 'checkout.async_payment_succeeded', checkout: paid }
              : { id: eventId(), type: 'checkout.async_payment_failed', checkout: paid },
          ];
    return { result: 'completed', session: this.toView(row), events };
  }

  /**
   * The Cancel button. Like Stripe, cancelling sends no event and leaves the session open until
   * it expires (the buyer may come back to it); the page just goes to the cancel URL.
   */
  async cancel(sessionId: string): Promise<{ cancelUrl: string }> {
    const row = await this.find(sessionId);
    if (row === null) throw notFound('Checkout session');
    return { cancelUrl: row.cancel_url };
  }

  /** Expires open sessions past their expiry, returning a `checkout.expired` event for each. */
  async expireStale(limit = 100): Promise<CheckoutExpired[]> {
    const rows = await this.update((qb) =>
      qb
        .set({ status: SimulatedCheckoutStatus.Expired })
        .where(
          `id IN (SELECT id FROM simulated_checkout_sessions WHERE status = :open AND expires_at <= now() ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED)`,
          { open: SimulatedCheckoutStatus.Open, limit },
        ),
    );
    return rows.map((row) => ({
      id: eventId(),
      type: 'checkout.expired',
      checkout: this.toState(row),
    }));
  }

  /**
   * Refunds a paid payment, in full by default, as `charge.refunded` with the total refunded so
   * far. Refunding more than is left is refused (409), as Stripe refuses it. With an idempotency
   * key, asking again answers the first refund instead of refunding twice.
   */
  refund(params: RefundParams): Promise<ChargeRefunded>;
  refund(paymentId: string, amountCents?: number): Promise<ChargeRefunded>;
  async refund(params: RefundParams | string, amount?: number): Promise<ChargeRefunded> {
    const { paymentId, amountCents, idempotencyKey } =
      typeof params === 'string'
        ? { paymentId: params, amountCents: amount, idempotencyKey: undefined }
        : params;
    if (amountCents !== undefined && (!Number.isInteger(amountCents) || amountCents <= 0)) {
      throw new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        'A refund amount must be a positive whole number of minor units',
      );
    }
    return this.sessions.manager.transaction(async (m) => {
      // Refunds of one payment take its row in turn, so the key check below cannot race.
      const session = await m.findOne(SimulatedCheckoutSession, {
        where: { paymentId },
        lock: { mode: 'pessimistic_write' },
      });
      if (session === null) throw notFound('Payment');
      const charge = (id: string): ChargeRefunded => ({
        id,
        type: 'charge.refunded',
        paymentId,
        purchaseId: session.purchaseId,
        amountRefundedCents: session.amountRefundedCents,
        amountCents: session.amountCents,
        currency: session.currency,
      });
      if (idempotencyKey !== undefined) {
        const earlier = await m.findOneBy(SimulatedRefund, { idempotencyKey });
        if (earlier !== null) return charge(earlier.id);
      }
      const left = session.amountCents - session.amountRefundedCents;
      const refunded = amountCents ?? left;
      if (session.paymentStatus !== SimulatedPaymentStatus.Paid || left <= 0 || refunded > left) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.NotRefundable,
          'Cannot refund this payment in its current state',
        );
      }
      session.amountRefundedCents += refunded;
      await m.update(
        SimulatedCheckoutSession,
        { id: session.id },
        { amountRefundedCents: session.amountRefundedCents },
      );
      if (idempotencyKey === undefined) return charge(eventId());
      const id = randomId('sim_re_');
      await m.insert(SimulatedRefund, { id, paymentId, idempotencyKey, amountCents: refunded });
      return charge(id);
    });
  }

  /** The buyer's bank disputes a paid payment: `dispute.created`. One dispute per payment. */
  async dispute(paymentId: string): Promise<DisputeCreated> {
    const rows = await this.update((qb) =>
      qb
        .set({ disputeStatus: SimulatedDisputeStatus.Open })
        .where('payment_id = :paymentId AND payment_status = :paid AND dispute_status IS NULL', {
          paymentId,
          paid: SimulatedPaymentStatus.Paid,
        }),
    );
    if (rows.length === 0) throw await this.paymentProblem(paymentId, 'dispute');
    return { id: eventId(), type: 'dispute.created', paymentId, purchaseId: rows[0].purchase_id };
  }

  /** The dispute is decided: `dispute.closed`, won (the merchant keeps the money) or lost. */
  async closeDispute(paymentId: string, won: boolean): Promise<DisputeClosed> {
    const rows = await this.update((qb) =>
      qb
        .set({ disputeStatus: won ? SimulatedDisputeStatus.Won : SimulatedDisputeStatus.Lost })
        .where('payment_id = :paymentId AND dispute_status = :open', {
          paymentId,
          open: SimulatedDisputeStatus.Open,
        }),
    );
    if (rows.length === 0) throw await this.paymentProblem(paymentId, 'close the dispute of');
    return {
      id: eventId(),
      type: 'dispute.closed',
      paymentId,
      purchaseId: rows[0].purchase_id,
      won,
    };
  }

  /** An Express-like account; the same idempotency key gives the same account. */
  async createConnectedAccount(
    params: CreateConnectedAccountParams,
  ): Promise<ConnectedAccountState> {
    await this.accounts
      .createQueryBuilder()
      .insert()
      .into(SimulatedConnectedAccount)
      .values({
        id: randomId('sim_acct_'),
        idempotencyKey: params.idempotencyKey,
        email: params.email,
        requirementsDue: INITIAL_REQUIREMENTS,
      })
      .orIgnore()
      .execute();
    const account = await this.accounts.findOneByOrFail({ idempotencyKey: params.idempotencyKey });
    return toAccountState(account);
  }

  async getConnectedAccount(accountId: string): Promise<ConnectedAccountState> {
    const account = ACCOUNT_ID.test(accountId)
      ? await this.accounts.findOneBy({ id: accountId })
      : null;
    if (account === null) throw notFound('Connected account');
    return toAccountState(account);
  }

  /** A fresh link to the local onboarding page; an older link stops working. */
  async createOnboardingLink(params: {
    accountId: string;
    refreshUrl: string;
    returnUrl: string;
  }): Promise<{ url: string; expiresAt: Date }> {
    const linkId = randomId('sim_link_');
    const result = await this.accounts
      .createQueryBuilder()
      .update(SimulatedConnectedAccount)
      .set({
        linkId,
        linkExpiresAt: () => `now() + interval '${SIMULATED_ONBOARDING_LINK_TTL_MINUTES} minutes'`,
        returnUrl: params.returnUrl,
        refreshUrl: params.refreshUrl,
      })
      .where('id = :id', { id: params.accountId })
      .returning('*')
      .execute();
    const rows = result.raw as { link_expires_at: Date }[];
    if (rows.length === 0) throw notFound('Connected account');
    return {
      url: `${this.publicUrl}/payouts/simulated/onboarding/${linkId}`,
      expiresAt: rows[0].link_expires_at,
    };
  }

  /** The simulated provider has no dashboard of its own: its onboarding page stands in. */
  async createDashboardLink(accountId: string): Promise<{ url: string }> {
    const home = `${this.publicUrl}/payouts/return`;
    const { url } = await this.createOnboardingLink({
      accountId,
      refreshUrl: home,
      returnUrl: home,
    });
    return { url };
  }

  /** For the onboarding page; null when the link names no account. */
  async getOnboarding(linkId: string): Promise<SimulatedOnboardingView | null> {
    if (!LINK_ID.test(linkId)) return null;
    const row = await this.accounts
      .createQueryBuilder('a')
      .select('a')
      .addSelect('a.link_expires_at <= now()', 'lapsed')
      .where('a.link_id = :linkId', { linkId })
      .getRawAndEntities<{ lapsed: boolean }>();
    const account = row.entities[0];
    if (account === undefined) return null;
    return {
      accountId: account.id,
      email: account.email,
      account: toAccountState(account),
      expired: row.raw[0].lapsed,
      returnUrl: account.returnUrl ?? `${this.publicUrl}/payouts/return`,
      refreshUrl: account.refreshUrl ?? `${this.publicUrl}/payouts/refresh`,
    };
  }

  /**
   * The page's buttons. The link is single-use, like an Account Link: either button spends it.
   * "Complete onboarding" enables charges and payouts and answers the `account.updated` event;
   * "Leave unfinished" changes nothing. An expired or spent link goes to the refresh URL.
   */
  async finishOnboarding(
    linkId: string,
    complete: boolean,
  ): Promise<{ redirectTo: string; event: AccountUpdated | null }> {
    const view = await this.getOnboarding(linkId);
    if (view === null) throw notFound('Onboarding link');
    const result = await this.accounts
      .createQueryBuilder()
      .update(SimulatedConnectedAccount)
      .set({
        // Spent: the link stays known, so a second click reads as expired (to the refresh URL).
        linkExpiresAt: () => 'now()',
        ...(complete && {
          detailsSubmitted: true,
          chargesEnabled: true,
          payoutsEnabled: true,
          requirementsDue: [],
          disabledReason: null,
        }),
      })
      .where('link_id = :linkId AND link_expires_at > now()', { linkId })
      .returning('*')
      .execute();
    if ((result.raw as unknown[]).length === 0) return { redirectTo: view.refreshUrl, event: null };
    if (!complete) return { redirectTo: view.returnUrl, event: null };
    const account = await this.accounts.findOneByOrFail({ id: view.accountId });
    return { redirectTo: view.returnUrl, event: this.accountEvent(account) };
  }

  /**
   * A deterministic switch for demos and tests: the account falls behind on requirements and
   * can no longer take charges or pay out, as when Stripe restricts it.
   */
  async restrictAccount(accountId: string, pastDue = ['individual.verification.document']) {
    const result = await this.accounts.update(
      { id: accountId },
      {
        chargesEnabled: false,
        payoutsEnabled: false,
        requirementsDue: pastDue,
        disabledReason: 'requirements.past_due',
      },
    );
    if (result.affected === 0) throw notFound('Connected account');
    return this.accountEvent(await this.accounts.findOneByOrFail({ id: accountId }));
  }

  private accountEvent(account: SimulatedConnectedAccount): AccountUpdated {
    return {
      id: eventId(),
      type: 'account.updated',
      account: toAccountState(account),
      created: nowSeconds(),
    };
  }

  private async find(sessionId: string): Promise<SessionRow | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const row = await this.sessions
      .createQueryBuilder('s')
      .select('s.*')
      // The database's clock decides expiry, as it does in pay().
      .addSelect('s.expires_at <= now()', 'lapsed')
      .where('s.id = :sessionId', { sessionId })
      .getRawOne<SessionRow>();
    return row ?? null;
  }

  /** One UPDATE … RETURNING *: the single statement each transition needs. */
  private async update(
    build: (
      qb: UpdateQueryBuilder<SimulatedCheckoutSession>,
    ) => UpdateQueryBuilder<SimulatedCheckoutSession>,
  ): Promise<SessionRow[]> {
    const result = await build(this.sessions.createQueryBuilder().update(SimulatedCheckoutSession))
      .returning('*')
      .execute();
    // Rows written by a transition are complete or expired, or already checked against expiry.
    return (result.raw as SessionRow[]).map((row) => ({ ...row, lapsed: false }));
  }

  private async paymentProblem(paymentId: string, action: string): Promise<DomainException> {
    const exists = await this.sessions.existsBy({ paymentId });
    if (!exists) return notFound('Payment');
    return new DomainException(
      HttpStatus.CONFLICT,
      ErrorCode.Conflict,
      `Cannot ${action} this payment in its current state`,
    );
  }

  private effectiveStatus(row: SessionRow): CheckoutState['status'] {
    // Read-time expiry, so a session never reads as payable late, even before expireStale().
    if (row.status === SimulatedCheckoutStatus.Open && row.lapsed) {
      return 'expired';
    }
    return row.status;
  }

  private toState(row: SessionRow): CheckoutState {
    return {
      sessionId: row.id,
      purchaseId: row.purchase_id,
      status: this.effectiveStatus(row),
      paymentStatus: row.payment_status,
      paymentId: row.payment_id,
      amountCents: row.amount_cents,
      currency: row.currency,
    };
  }

  private toView(row: SessionRow): SimulatedCheckoutView {
    return {
      sessionId: row.id,
      purchaseId: row.purchase_id,
      productId: row.product_id,
      productTitle: row.product_title,
      amountCents: row.amount_cents,
      currency: row.currency,
      buyerEmail: row.buyer_email,
      status: this.effectiveStatus(row),
      paymentStatus: row.payment_status,
      paymentId: row.payment_id,
      successUrl: row.success_url,
      cancelUrl: row.cancel_url,
      expiresAt: row.expires_at,
    };
  }
}
