import type { ConnectedAccountState } from '../payments/payments.interface.js';

export enum PayoutStatus {
  /** No account yet, or the onboarding form was not submitted. */
  NotStarted = 'not_started',
  /** Submitted; the provider is verifying it. */
  Pending = 'pending',
  /** Charges and payouts enabled. */
  Enabled = 'enabled',
  /** Requirements past due, or the provider disabled charges. */
  Restricted = 'restricted',
}

/** Stripe's reason while it verifies what was submitted: not a restriction. */
const VERIFYING = 'requirements.pending_verification';

export function payoutStatus(
  account: Omit<ConnectedAccountState, 'accountId' | 'requirementsDue'> | null,
): PayoutStatus {
  if (account === null || !account.detailsSubmitted) return PayoutStatus.NotStarted;
  if (
    account.pastDue.length > 0 ||
    (account.disabledReason !== null && account.disabledReason !== VERIFYING)
  ) {
    return PayoutStatus.Restricted;
  }
  if (account.chargesEnabled && account.payoutsEnabled) return PayoutStatus.Enabled;
  return PayoutStatus.Pending;
}
