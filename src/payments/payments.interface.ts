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
}
