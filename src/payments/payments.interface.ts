/** Injection token of the configured payments driver. */
export const PAYMENTS = Symbol('PAYMENTS');

export interface CreateCheckoutParams {
  purchaseId: string;
  productId: string;
  productTitle: string;
  /** Integer minor units, copied from the purchase (never from the client). */
  amountCents: number;
  /** Lower-case ISO 4217. */
  currency: string;
  buyerEmail: string;
  successUrl: string;
  cancelUrl: string;
  /**
   * A destination charge (Stripe Connect): the money goes to this connected account, less the
   * platform's fee. Absent in `platform` payouts mode.
   */
  transfer?: { destination: string; feeCents: number };
}

export interface CheckoutSession {
  sessionId: string;
  /** Where the buyer is sent to pay. */
  url: string;
  expiresAt: Date;
}

/** A checkout as the provider sees it now: the only source of truth for fulfilment. */
export interface CheckoutState {
  sessionId: string;
  /** From the provider's own record (client_reference_id / metadata), when present. */
  purchaseId: string | null;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  /** The provider's payment id (Stripe: the PaymentIntent), once there is one. */
  paymentId: string | null;
  amountCents: number | null;
  currency: string | null;
}

/** A creator's connected account as the provider reports it. */
export interface ConnectedAccountState {
  accountId: string;
  /** The account can take payments (Stripe's `charges_enabled`). */
  chargesEnabled: boolean;
  /** The provider pays its balance out (Stripe's `payouts_enabled`). */
  payoutsEnabled: boolean;
  /** The onboarding form was submitted (Stripe's `details_submitted`). */
  detailsSubmitted: boolean;
  /** What the provider still needs now (Stripe's `requirements.currently_due` and `past_due`). */
  requirementsDue: string[];
  /** What is overdue and has disabled the account (Stripe's `requirements.past_due`). */
  pastDue: string[];
  /** Why the account cannot take payments, e.g. `requirements.pending_verification`. */
  disabledReason: string | null;
}

export interface CreateConnectedAccountParams {
  /** Asking twice with the same key gives the same account. */
  idempotencyKey: string;
  email: string;
  /** Kept on the provider's record, so an account names its creator. */
  creatorId: string;
}

export interface RefundParams {
  paymentId: string;
  purchaseId: string;
  /** Minor units; undefined refunds what is left. */
  amountCents?: number;
  /** A destination charge: take the money back from the connected account, fee in proportion. */
  reverseTransfer: boolean;
  /** The same key gives the same refund: a repeated request refunds once. */
  idempotencyKey: string;
}

/** A verified provider event, normalised. `id` is the provider's event id (deduplication key). */
export type PaymentEvent =
  | { id: string; type: 'checkout.completed'; checkout: CheckoutState }
  | { id: string; type: 'checkout.async_payment_succeeded'; checkout: CheckoutState }
  | { id: string; type: 'checkout.async_payment_failed'; checkout: CheckoutState }
  | { id: string; type: 'checkout.expired'; checkout: CheckoutState }
  | {
      id: string;
      type: 'charge.refunded';
      paymentId: string;
      purchaseId: string | null;
      /** Total refunded so far on the charge, minor units (Stripe's `amount_refunded`). */
      amountRefundedCents: number;
      amountCents: number;
      currency: string;
    }
  | { id: string; type: 'dispute.created'; paymentId: string; purchaseId: string | null }
  | {
      id: string;
      type: 'dispute.closed';
      paymentId: string;
      purchaseId: string | null;
      /** Stripe's dispute status `won` (or `warning_closed`): access comes back. */
      won: boolean;
    }
  | {
      id: string;
      type: 'account.updated';
      account: ConnectedAccountState;
      /** When the provider produced this state (seconds since the epoch): older ones lose. */
      created: number;
    }
  | { id: string; type: 'ignored'; providerType: string };

export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface PaymentsDriver {
  readonly name: 'stripe' | 'simulated';
  createCheckout(params: CreateCheckoutParams): Promise<CheckoutSession>;
  getCheckout(sessionId: string): Promise<CheckoutState>;
  /**
   * Ends an open checkout so it can no longer be paid, and answers the state it ended in:
   * `expired`, or `complete` when the buyer paid it first.
   */
  expireCheckout(sessionId: string): Promise<CheckoutState>;
  /** Verifies and normalises a webhook; throws WEBHOOK_SIGNATURE_INVALID (400) when unverified. */
  parseWebhook(request: WebhookRequest): PaymentEvent;
  checkReady(): Promise<void>;
  /** Stripe Connect: an Express connected account for a creator. */
  createConnectedAccount(params: CreateConnectedAccountParams): Promise<ConnectedAccountState>;
  getConnectedAccount(accountId: string): Promise<ConnectedAccountState>;
  /** A single-use onboarding link (Stripe's Account Link). */
  createOnboardingLink(params: {
    accountId: string;
    refreshUrl: string;
    returnUrl: string;
  }): Promise<{ url: string; expiresAt: Date }>;
  /** A link into the creator's Express dashboard (Stripe's login link). */
  createDashboardLink(accountId: string): Promise<{ url: string }>;
  /**
   * Refunds a payment and answers the resulting `charge.refunded` (the total refunded so far),
   * to be handled by fulfilment like the provider's own event. Its `id` is the refund's, so the
   * same refund answered twice is recorded once.
   */
  refund(params: RefundParams): Promise<Extract<PaymentEvent, { type: 'charge.refunded' }>>;
}
