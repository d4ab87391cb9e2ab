import { HttpStatus, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { DomainException } from '../../common/domain.exception.js';
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

/**
 * The API version this code was written against: the SDK's own for stripe@23. Pinned so an
 * account's default version never changes the shape of what we read.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/**
 * Checkouts are requested in 5-minute windows and expire 40 minutes after their window opens:
 * 35 to 40 minutes out, inside Stripe's 30 minutes to 24 hours with room for clock skew.
 */
export const CHECKOUT_WINDOW_SECONDS = 5 * 60;
export const CHECKOUT_EXPIRY_AFTER_WINDOW_SECONDS = 40 * 60;

/**
 * An idempotency key for one Stripe request: its scope plus a digest of every parameter sent.
 * Stripe refuses a key reused with other parameters (400 idempotency_error, for 24 hours), so a
 * retry that sends something else (a title edited meanwhile, other success/cancel URLs) must
 * not reuse the key; an identical retry (the SDK's own, or a client's after a timeout) does,
 * and gets the first answer back. Every call made with a key goes through here.
 */
export function stripeIdempotencyKey(scope: string, params: object): string {
  const digest = createHash('sha256').update(JSON.stringify(params)).digest('base64url');
  return `${scope}-${digest.slice(0, 32)}`;
}

/**
 * The window a purchase's checkout requested now falls in, and its expiry: `expires_at` is one
 * of the parameters, so both come from the window. Repeats within a window get the one session
 * back; a later request (e.g. after that session expired) gets a new one instead of the expired
 * session for the 24 hours Stripe keeps keys.
 */
export function checkoutWindow(nowMs = Date.now()): { window: number; expiresAt: number } {
  const window = Math.floor(nowMs / 1000 / CHECKOUT_WINDOW_SECONDS) * CHECKOUT_WINDOW_SECONDS;
  return { window, expiresAt: window + CHECKOUT_EXPIRY_AFTER_WINDOW_SECONDS };
}

export interface StripeDriverSettings {
  secretKey: string;
  webhookSecret?: string;
  /** The Connect endpoint's signing secret: events of connected accounts (`account.updated`). */
  connectWebhookSecret?: string;
  /** Another API base, e.g. stripe-mock or a test server. */
  apiBase?: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
  /** Milliseconds since the epoch; tests fix it so requests fall in one checkout window. */
  clock?: () => number;
}

const providerError = () =>
  new DomainException(
    HttpStatus.BAD_GATEWAY,
    ErrorCode.PaymentProviderError,
    'The payment provider did not answer; try again',
  );

const notRefundable = (message: string) =>
  new DomainException(HttpStatus.CONFLICT, ErrorCode.NotRefundable, message);

// Stripe's answers to a refund the charge cannot take (already refunded, more than is left, or a
// disputed charge): the caller's request was wrong, not Stripe.
const REFUND_REFUSALS = new Set(['charge_already_refunded', 'amount_too_large', 'charge_disputed']);

const signatureInvalid = (message: string) =>
  new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.WebhookSignatureInvalid, message);

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

// Values this code does not know (the SDK allows any string) read as "not finished, not paid",
// so nothing is ever fulfilled on a guess.
const checkoutStatus = (status: string | null): CheckoutState['status'] =>
  status === 'complete' || status === 'expired' ? status : 'open';
const paymentStatus = (status: string): CheckoutState['paymentStatus'] =>
  status === 'paid' || status === 'no_payment_required' ? status : 'unpaid';

/** Maps a connected account to what payouts need. */
export function toAccountState(account: Stripe.Account): ConnectedAccountState {
  const requirements = account.requirements;
  const pastDue = requirements?.past_due ?? [];
  return {
    accountId: account.id,
    chargesEnabled: account.charges_enabled ?? false,
    payoutsEnabled: account.payouts_enabled ?? false,
    detailsSubmitted: account.details_submitted ?? false,
    requirementsDue: [...new Set([...pastDue, ...(requirements?.currently_due ?? [])])],
    pastDue,
    disabledReason: requirements?.disabled_reason ?? null,
  };
}

/** Maps a Checkout Session to what fulfilment needs; nothing else of Stripe leaks out. */
export function toCheckoutState(session: Stripe.Checkout.Session): CheckoutState {
  return {
    sessionId: session.id,
    purchaseId: session.client_reference_id ?? session.metadata?.purchaseId ?? null,
    status: checkoutStatus(session.status),
    paymentStatus: paymentStatus(session.payment_status),
    paymentId: idOf(session.payment_intent),
    amountCents: session.amount_total,
    currency: session.currency,
  };
}

export class StripePaymentsDriver implements PaymentsDriver {
  readonly name = 'stripe' as const;
  private readonly logger = new Logger('StripePayments');
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeDriverSettings) {
    const base = settings.apiBase === undefined ? undefined : new URL(settings.apiBase);
    this.stripe = new Stripe(settings.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: settings.maxNetworkRetries ?? 2,
      timeout: settings.timeoutMs ?? 10_000,
      telemetry: false,
      appInfo: { name: 'creator-files' },
      ...(base && {
        host: base.hostname,
        port: base.port !== '' ? Number(base.port) : base.protocol === 'https:' ? 443 : 80,
        protocol: base.protocol === 'http:' ? 'http' : 'https',
      }),
    });
  }

  async createCheckout(params: CreateCheckoutParams): Promise<CheckoutSession> {
    const metadata = { purchaseId: params.purchaseId, productId: params.productId };
    const { window, expiresAt } = checkoutWindow((this.settings.clock ?? Date.now)());
    const request: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: params.currency,
            unit_amount: params.amountCents,
            product_data: { name: params.productTitle },
          },
        },
      ],
      client_reference_id: params.purchaseId,
      metadata,
      // Copied to the PaymentIntent so refunds and disputes can name the purchase too.
      payment_intent_data: {
        metadata,
        // A destination charge: the sale settles in the creator's connected account, and the
        // platform keeps its fee.
        ...(params.transfer && {
          application_fee_amount: params.transfer.feeCents,
          transfer_data: { destination: params.transfer.destination },
        }),
      },
      customer_email: params.buyerEmail,
      success_url: params.successUrl,
      cancel_url: params.cancelUrl,
      expires_at: expiresAt,
    };
    const idempotencyKey = stripeIdempotencyKey(`checkout-${params.purchaseId}-${window}`, request);
    const session = await this.call('create a checkout session', () =>
      this.stripe.checkout.sessions.create(request, { idempotencyKey }),
    );
    if (session.url === null) {
      this.logger.error(`Checkout Session ${session.id} came back without a URL`);
      throw providerError();
    }
    return {
      sessionId: session.id,
      url: session.url,
      expiresAt: new Date(session.expires_at * 1000),
    };
  }

  async getCheckout(sessionId: string): Promise<CheckoutState> {
    const session = await this.call(`retrieve checkout session ${sessionId}`, () =>
      this.stripe.checkout.sessions.retrieve(sessionId),
    );
    return toCheckoutState(session);
  }

  async expireCheckout(sessionId: string): Promise<CheckoutState> {
    const expired = await this.call(`expire checkout session ${sessionId}`, () =>
      this.stripe.checkout.sessions.expire(sessionId).catch((error: unknown) => {
        // Only an open session can be expired: Stripe refuses one already complete or expired.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) return null;
        throw error;
      }),
    );
    if (expired !== null) return toCheckoutState(expired);
    const state = await this.getCheckout(sessionId);
    if (state.status === 'open') {
      this.logger.error(`Checkout session ${sessionId} could not be expired and is still open`);
      throw providerError();
    }
    return state;
  }

  parseWebhook(request: WebhookRequest): PaymentEvent {
    // Both endpoints (the account's own and the Connect one) post to the same route, each with
    // its own signing secret; `stripe listen` signs both with one.
    const secrets = [this.settings.webhookSecret, this.settings.connectWebhookSecret].filter(
      (secret): secret is string => secret !== undefined,
    );
    if (secrets.length === 0) {
      this.logger.error('A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set');
      throw signatureInvalid('Webhook signature cannot be verified');
    }
    const header = request.headers['stripe-signature'];
    if (typeof header !== 'string' || header === '') {
      throw signatureInvalid('Missing Stripe-Signature header');
    }
    let lastError: unknown;
    for (const secret of secrets) {
      try {
        // constructEvent checks the HMAC and the timestamp (300 s tolerance) over the raw bytes.
        return normaliseEvent(this.stripe.webhooks.constructEvent(request.rawBody, header, secret));
      } catch (error) {
        lastError = error;
      }
    }
    this.logger.warn(`Rejected a Stripe webhook: ${(lastError as Error).message.split('\n')[0]}`);
    throw signatureInvalid('Webhook signature is invalid');
  }

  checkReady(): Promise<void> {
    // No network call: a readiness probe must not spend Stripe's rate limit.
    if (this.settings.secretKey === '') return Promise.reject(new Error('no Stripe secret key'));
    if (this.settings.webhookSecret === undefined) {
      return Promise.reject(new Error('no Stripe webhook secret'));
    }
    return Promise.resolve();
  }

  async createConnectedAccount(
    params: CreateConnectedAccountParams,
  ): Promise<ConnectedAccountState> {
    const request: Stripe.AccountCreateParams = {
      type: 'express',
      email: params.email,
      // Destination charges need the transfers capability; card_payments lets the account be
      // the settlement merchant, as Stripe recommends for Express.
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      metadata: { creatorId: params.creatorId },
    };
    const account = await this.call('create a connected account', () =>
      this.stripe.accounts.create(request, {
        idempotencyKey: stripeIdempotencyKey(params.idempotencyKey, request),
      }),
    );
    return toAccountState(account);
  }

  async getConnectedAccount(accountId: string): Promise<ConnectedAccountState> {
    const account = await this.call(`retrieve account ${accountId}`, () =>
      this.stripe.accounts.retrieve(accountId),
    );
    return toAccountState(account);
  }

  async createOnboardingLink(params: {
    accountId: string;
    refreshUrl: string;
    returnUrl: string;
  }): Promise<{ url: string; expiresAt: Date }> {
    const link = await this.call(`create an account link for ${params.accountId}`, () =>
      this.stripe.accountLinks.create({
        account: params.accountId,
        type: 'account_onboarding',
        refresh_url: params.refreshUrl,
        return_url: params.returnUrl,
      }),
    );
    return { url: link.url, expiresAt: new Date(link.expires_at * 1000) };
  }

  async createDashboardLink(accountId: string): Promise<{ url: string }> {
    const link = await this.call(`create a login link for ${accountId}`, () =>
      this.stripe.accounts.createLoginLink(accountId),
    );
    return { url: link.url };
  }

  async refund(params: RefundParams): Promise<Extract<PaymentEvent, { type: 'charge.refunded' }>> {
    const request: Stripe.RefundCreateParams = {
      payment_intent: params.paymentId,
      ...(params.amountCents !== undefined && { amount: params.amountCents }),
      // A destination charge: pull the transfer back from the creator and return the fee, both
      // in proportion to the amount refunded.
      ...(params.reverseTransfer && { reverse_transfer: true, refund_application_fee: true }),
      metadata: { purchaseId: params.purchaseId },
      // The charge as it stands after this refund: its running total is what fulfilment reads.
      expand: ['charge'],
    };
    let refund: Stripe.Refund;
    try {
      refund = await this.stripe.refunds.create(request, {
        idempotencyKey: stripeIdempotencyKey(params.idempotencyKey, request),
      });
    } catch (error) {
      if (
        error instanceof Stripe.errors.StripeInvalidRequestError &&
        error.code !== undefined &&
        REFUND_REFUSALS.has(error.code)
      ) {
        throw notRefundable(`The payment provider refused the refund: ${error.message}`);
      }
      this.logFailure(`refund ${params.paymentId}`, error);
      throw providerError();
    }
    const charge = refund.charge;
    if (charge === null || typeof charge === 'string') {
      this.logger.error(`Refund ${refund.id} came back without its charge`);
      throw providerError();
    }
    return {
      id: refund.id,
      type: 'charge.refunded',
      paymentId: params.paymentId,
      purchaseId: params.purchaseId,
      amountRefundedCents: charge.amount_refunded,
      amountCents: charge.amount,
      currency: charge.currency,
    };
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.logFailure(what, error);
      throw providerError();
    }
  }

  private logFailure(what: string, error: unknown): void {
    if (error instanceof Stripe.errors.StripeError) {
      this.logger.error(
        `Stripe failed to ${what}: ${error.type} ${error.statusCode ?? '-'} ${error.code ?? ''} ${error.message} (request ${error.requestId ?? '-'})`,
      );
    } else {
      this.logger.error(`Stripe failed to ${what}: ${String(error)}`);
    }
  }
}

/** Turns a verified Stripe event into the provider-neutral event fulfilment understands. */
export function normaliseEvent(event: Stripe.Event): PaymentEvent {
  // if-chains, not a switch: Stripe has hundreds of event types and all others are ignored.
  const id = event.id;
  if (event.type === 'checkout.session.completed') {
    return { id, type: 'checkout.completed', checkout: toCheckoutState(event.data.object) };
  }
  if (event.type === 'checkout.session.async_payment_succeeded') {
    const checkout = toCheckoutState(event.data.object);
    return { id, type: 'checkout.async_payment_succeeded', checkout };
  }
  if (event.type === 'checkout.session.async_payment_failed') {
    const checkout = toCheckoutState(event.data.object);
    return { id, type: 'checkout.async_payment_failed', checkout };
  }
  if (event.type === 'checkout.session.expired') {
    return { id, type: 'checkout.expired', checkout: toCheckoutState(event.data.object) };
  }
  if (event.type === 'charge.refunded') {
    const charge = event.data.object;
    const paymentId = idOf(charge.payment_intent);
    if (paymentId !== null) {
      return {
        id,
        type: 'charge.refunded',
        paymentId,
        purchaseId: charge.metadata?.purchaseId ?? null,
        amountRefundedCents: charge.amount_refunded,
        amountCents: charge.amount,
        currency: charge.currency,
      };
    }
  }
  if (event.type === 'charge.dispute.created') {
    const dispute = event.data.object;
    const paymentId = idOf(dispute.payment_intent);
    if (paymentId !== null) {
      return {
        id,
        type: 'dispute.created',
        paymentId,
        purchaseId: dispute.metadata?.purchaseId ?? null,
      };
    }
  }
  if (event.type === 'charge.dispute.closed') {
    const dispute = event.data.object;
    const paymentId = idOf(dispute.payment_intent);
    if (paymentId !== null) {
      // The merchant keeps the money when the dispute is won, or when an inquiry (a "warning")
      // closes without becoming a chargeback. `lost`, and `prevented` (settled by refunding the
      // cardholder before a chargeback, e.g. Visa RDR), mean the money went back.
      const won = dispute.status === 'won' || dispute.status === 'warning_closed';
      return {
        id,
        type: 'dispute.closed',
        paymentId,
        purchaseId: dispute.metadata?.purchaseId ?? null,
        won,
      };
    }
  }
  if (event.type === 'account.updated') {
    return {
      id,
      type: 'account.updated',
      account: toAccountState(event.data.object),
      created: event.created,
    };
  }
  // Other types, and charges or disputes with no PaymentIntent (never ours).
  return { id, type: 'ignored', providerType: event.type };
}
