export enum PurchaseStatus {
  /** Checkout started, not paid yet. */
  Pending = 'pending',
  /** Paid (possibly partly refunded): grants access. */
  Paid = 'paid',
  /** An asynchronous payment failed. */
  Failed = 'failed',
  /** The checkout expired unpaid. */
  Expired = 'expired',
  /** Fully refunded, or a dispute was lost: access ended. */
  Refunded = 'refunded',
  /** A dispute is open: access is suspended. */
  Disputed = 'disputed',
}

export enum DisputeStatus {
  Open = 'open',
  Won = 'won',
  Lost = 'lost',
}

/** The statuses the database allows only once per buyer and product. */
export const LIVE_STATUSES = [PurchaseStatus.Pending, PurchaseStatus.Paid, PurchaseStatus.Disputed];
