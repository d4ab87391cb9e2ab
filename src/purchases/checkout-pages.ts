/** The small HTML pages of the simulated checkout and of the default success/cancel URLs. */

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Formats minor units for display; zero-decimal currencies such as JPY have no fraction. */
export function formatMoney(amountCents: number, currency: string): string {
  const format = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountCents / 10 ** digits);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:30rem;margin:4rem auto;padding:0 1rem;color:#222;background:#f6f6f4}
.card{border:1px solid #ddd;border-radius:12px;padding:1.5rem;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.5rem;margin:.75rem 0 0}
.amount{font-size:2rem;font-weight:600;margin:.25rem 0 1.25rem}
.badge{display:inline-block;margin:0;padding:.2rem .6rem;border-radius:999px;background:#fff4d6;color:#7a5600;font-size:.8rem;font-weight:600}
.note{color:#666;font-size:.9rem}.error{color:#b00020}
label{display:block;margin-bottom:.3rem}
select{font-size:1rem;padding:.45rem;width:100%;border-radius:8px;border:1px solid #bbb;background:#fff;margin-bottom:1rem}
.actions{display:flex;gap:.75rem}.actions form{margin:0}.actions form:first-child{flex:1}
button{font-size:1rem;padding:.65rem 1.2rem;border-radius:8px;border:1px solid #333;background:#fff;cursor:pointer}
button.pay{background:#222;color:#fff;width:100%}
h2{font-size:1.15rem;margin:.75rem 0 0}
a.button{display:inline-block;font-size:1rem;padding:.55rem 1rem;border-radius:8px;border:1px solid #333;color:#222;text-decoration:none}
a.button.primary{background:#222;color:#fff}
p.actions{gap:.75rem;margin-top:1.25rem}
</style></head><body>${body}</body></html>`;
}

export interface SimulatedPageModel {
  sessionId: string;
  productTitle: string;
  amountCents: number;
  currency: string;
  status: 'open' | 'complete' | 'expired';
  error?: string;
}

export function simulatedCheckoutPage(model: SimulatedPageModel): string {
  const id = encodeURIComponent(model.sessionId);
  const amount = escapeHtml(formatMoney(model.amountCents, model.currency));
  const header = `<p class="badge">Simulated checkout: no money moves</p>
<h1>${escapeHtml(model.productTitle)}</h1><div class="amount">${amount}</div>`;
  if (model.status !== 'open') {
    const state =
      model.status === 'complete' ? 'This checkout is complete.' : 'This checkout has expired.';
    return layout('Checkout', `<div class="card">${header}<p>${state}</p></div>`);
  }
  const error = model.error ? `<p class="error">${escapeHtml(model.error)}</p>` : '';
  return layout(
    `Pay ${amount}`,
    `<div class="card">${header}${error}
<label for="outcome" class="note">Outcome</label>
<select id="outcome" name="outcome" form="pay">
<option value="success">Card succeeds</option>
<option value="decline">Card is declined</option>
<option value="async_success">Bank transfer, later succeeds</option>
<option value="async_failure">Bank transfer, later fails</option>
</select>
<div class="actions">
<form id="pay" method="post" action="/checkout/simulated/${id}/pay"><button class="pay" type="submit">Pay ${amount}</button></form>
<form method="post" action="/checkout/simulated/${id}/cancel"><button type="submit">Cancel</button></form>
</div>
<p class="note">Paying here goes through the same fulfilment as a real payment provider's webhook.</p>
</div>`,
  );
}

/** What the success page knows of the checkout it ends, when it was one of ours. */
export interface ReceiptModel {
  productTitle: string;
  amountCents: number;
  currency: string;
  /** The purchase's status: paid, pending (a payment still being confirmed), failed... */
  status: string;
}

// The storefront (web/, served at /app/) and its library; Swagger UI for those who use the API.
const NEXT_STEPS = `<p class="actions"><a class="button primary" href="/app/library">Go to your library</a>
<a class="button" href="/app/">Back to the shop</a></p>
<p class="note">Using the API directly? <code>GET /mypurchases</code> in <a href="/docs">Swagger UI</a> lists it too.</p>`;

export function resultPage(kind: 'success' | 'cancel', receipt?: ReceiptModel | null): string {
  if (kind === 'cancel') {
    return layout(
      'Checkout cancelled',
      `<div class="card"><h1>Checkout cancelled</h1><p>Nothing was charged. You can start again at any time.</p>
<p class="actions"><a class="button" href="/app/">Back to the shop</a></p></div>`,
    );
  }
  if (receipt === undefined || receipt === null) {
    return layout(
      'Thank you',
      `<div class="card"><h1>Thank you!</h1><p>Your payment was received. Your purchase appears in
your library as soon as the payment is confirmed, and can be downloaded from there.</p>${NEXT_STEPS}</div>`,
    );
  }
  const title = escapeHtml(receipt.productTitle);
  const amount = escapeHtml(formatMoney(receipt.amountCents, receipt.currency));
  const what = `<strong>${amount}</strong> for <strong>${title}</strong>`;
  const statuses: Record<string, string> = {
    paid: `<p>Your payment of ${what} went through. It is in your library, ready to download.</p>`,
    pending: `<p>Your payment of ${what} is being confirmed. It appears in your library, ready to
download, as soon as it is.</p>`,
    failed: `<p>Your payment of ${what} did not go through, and nothing was charged. You can try again
from the shop.</p>`,
    expired: `<p>This checkout for ${title} expired unpaid. You can start again from the shop.</p>`,
  };
  const status =
    statuses[receipt.status] ?? `<p>Your library says where your purchase of ${title} stands.</p>`;
  return layout(
    `Thank you: ${receipt.productTitle}`,
    `<div class="card"><h1>Thank you!</h1><h2>${title}</h2><div class="amount">${amount}</div>${status}${NEXT_STEPS}</div>`,
  );
}

export interface OnboardingPageModel {
  linkId: string;
  email: string;
  status: string;
  requirementsDue: string[];
  expired: boolean;
  refreshUrl: string;
}

/** The simulated provider's stand-in for Stripe's hosted Express onboarding. */
export function simulatedOnboardingPage(model: OnboardingPageModel): string {
  const id = encodeURIComponent(model.linkId);
  const header = `<p class="badge">Simulated payouts onboarding: no real account</p>
<h1>Get paid for your sales</h1><p class="note">Account for ${escapeHtml(model.email)}: ${escapeHtml(model.status.replace('_', ' '))}</p>`;
  if (model.expired) {
    return layout(
      'Onboarding link expired',
      `<div class="card">${header}<p>This link has expired or was already used.</p>
<p><a href="${escapeHtml(model.refreshUrl)}">Get a new link</a></p></div>`,
    );
  }
  const due =
    model.requirementsDue.length === 0
      ? '<p>Nothing more is needed.</p>'
      : `<p>Still needed:</p><ul>${model.requirementsDue.map((r) => `<li><code>${escapeHtml(r)}</code></li>`).join('')}</ul>`;
  return layout(
    'Payouts onboarding',
    `<div class="card">${header}${due}
<div class="actions">
<form method="post" action="/payouts/simulated/onboarding/${id}/complete"><button class="pay" type="submit">Complete onboarding</button></form>
<form method="post" action="/payouts/simulated/onboarding/${id}/leave"><button type="submit">Leave unfinished</button></form>
</div>
<p class="note">Completing here enables charges and payouts at once, as Stripe does once it has verified an account.</p>
</div>`,
  );
}

export function onboardingResultPage(kind: 'return' | 'refresh'): string {
  return kind === 'return'
    ? layout(
        'Payouts onboarding',
        `<div class="card"><h1>Back from onboarding</h1><p>Your payouts status is in
<code>GET /creator/payouts</code>. If something is still needed, ask for a new link with
<code>POST /creator/payouts/onboarding</code>.</p></div>`,
      )
    : layout(
        'Onboarding link expired',
        `<div class="card"><h1>This link has expired</h1><p>Onboarding links work once and for a few
minutes. Ask for a new one with <code>POST /creator/payouts/onboarding</code>.</p></div>`,
      );
}
