import { DisputeStatus, PurchaseStatus } from './purchase-status.enum.js';
import type { Purchase } from './purchase.entity.js';

/**
 * Whether the buyer may download now: paid, not fully refunded, no open or lost dispute.
 * DownloadsService.issueLink says the same in SQL, where it decides whether to log a link.
 */
export const grantsAccess = (purchase: Pick<Purchase, 'status'>): boolean =>
  purchase.status === PurchaseStatus.Paid;

/**
 * The status of a purchase once it has been paid, derived from what happened to the payment
 * since. Refunds only grow and a closed dispute never reopens, so applying the same events in
 * any order, any number of times, ends in the same status.
 */
export function settledStatus(
  purchase: Pick<Purchase, 'amountCents' | 'refundedCents' | 'disputeStatus'>,
): PurchaseStatus {
  const fullyRefunded = purchase.amountCents > 0 && purchase.refundedCents >= purchase.amountCents;
  if (purchase.disputeStatus === DisputeStatus.Lost || fullyRefunded)
    return PurchaseStatus.Refunded;
  if (purchase.disputeStatus === DisputeStatus.Open) return PurchaseStatus.Disputed;
  return PurchaseStatus.Paid;
}
