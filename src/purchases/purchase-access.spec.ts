import { describe, expect, it } from '@jest/globals';
import { grantsAccess, settledStatus } from './purchase-access.js';
import { DisputeStatus, PurchaseStatus } from './purchase-status.enum.js';

describe(settledStatus.name, () => {
  const paid = { amountCents: 1000, refundedCents: 0, disputeStatus: null };

  it('is paid with no refund and no dispute', () => {
    expect(settledStatus(paid)).toBe(PurchaseStatus.Paid);
  });

  it('stays paid after a partial refund, and is refunded after a full one', () => {
    expect(settledStatus({ ...paid, refundedCents: 999 })).toBe(PurchaseStatus.Paid);
    expect(settledStatus({ ...paid, refundedCents: 1000 })).toBe(PurchaseStatus.Refunded);
  });

  it('is disputed while a dispute is open, paid when it is won, refunded when lost', () => {
    expect(settledStatus({ ...paid, disputeStatus: DisputeStatus.Open })).toBe(
      PurchaseStatus.Disputed,
    );
    expect(settledStatus({ ...paid, disputeStatus: DisputeStatus.Won })).toBe(PurchaseStatus.Paid);
    expect(settledStatus({ ...paid, disputeStatus: DisputeStatus.Lost })).toBe(
      PurchaseStatus.Refunded,
    );
  });

  it('lets a full refund win over an open dispute', () => {
    expect(settledStatus({ ...paid, refundedCents: 1000, disputeStatus: DisputeStatus.Open })).toBe(
      PurchaseStatus.Refunded,
    );
  });

  it('never calls a free purchase refunded for refunding nothing', () => {
    expect(settledStatus({ amountCents: 0, refundedCents: 0, disputeStatus: null })).toBe(
      PurchaseStatus.Paid,
    );
  });
});

describe(grantsAccess.name, () => {
  it.each([
    [PurchaseStatus.Paid, true],
    [PurchaseStatus.Pending, false],
    [PurchaseStatus.Failed, false],
    [PurchaseStatus.Expired, false],
    [PurchaseStatus.Refunded, false],
    [PurchaseStatus.Disputed, false],
  ])('%s → %s', (status, expected) => {
    expect(grantsAccess({ status })).toBe(expected);
  });
});
