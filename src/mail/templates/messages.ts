import { button, formatMoney, html, layout, oneLine, type RenderedMail } from './render.js';

// Every message: a plain-text body and a simple HTML body saying the same, values escaped.

export function verifyEmail(input: { displayName: string; link: string }): RenderedMail {
  const subject = 'Confirm your email address';
  return {
    subject,
    text: `Hello ${input.displayName},

Please confirm your email address by opening this link:

${input.link}

If you did not create an account, you can ignore this message.
`,
    html: layout(
      subject,
      html`<p>Hello ${input.displayName},</p>
        <p>Please confirm your email address.</p>
        ${button(input.link, 'Confirm my email')}
        <p style="font-size:13px;color:#666">Or open this link: ${input.link}</p>
        <p style="font-size:13px;color:#666">
          If you did not create an account, you can ignore this message.
        </p>`,
    ),
  };
}

export function resetPassword(input: {
  email: string;
  link: string;
  minutes: number;
}): RenderedMail {
  const subject = 'Reset your password';
  return {
    subject,
    text: `Someone asked to reset the password of the account ${input.email}.

To choose a new password, open this link within ${input.minutes} minutes:

${input.link}

If it was not you, ignore this message: your password stays as it is.
`,
    html: layout(
      subject,
      html`<p>Someone asked to reset the password of the account ${input.email}.</p>
        <p>To choose a new password, open this link within ${String(input.minutes)} minutes.</p>
        ${button(input.link, 'Choose a new password')}
        <p style="font-size:13px;color:#666">Or open this link: ${input.link}</p>
        <p style="font-size:13px;color:#666">
          If it was not you, ignore this message: your password stays as it is.
        </p>`,
    ),
  };
}

export interface SaleFacts {
  productTitle: string;
  amountCents: number;
  currency: string;
  purchaseId: string;
}

export function purchaseReceipt(input: SaleFacts & { libraryLink: string }): RenderedMail {
  const amount = formatMoney(input.amountCents, input.currency);
  const subject = `Your receipt: ${oneLine(input.productTitle)}`;
  return {
    subject,
    text: `Thank you for your purchase.

Product: ${input.productTitle}
Amount: ${amount}
Order: ${input.purchaseId}

Download it any time from your library:
${input.libraryLink}
`,
    html: layout(
      subject,
      html`<p>Thank you for your purchase.</p>
        <table style="border-collapse:collapse">
          <tr>
            <td style="padding:2px 12px 2px 0;color:#666">Product</td>
            <td>${input.productTitle}</td>
          </tr>
          <tr>
            <td style="padding:2px 12px 2px 0;color:#666">Amount</td>
            <td>${amount}</td>
          </tr>
          <tr>
            <td style="padding:2px 12px 2px 0;color:#666">Order</td>
            <td>${input.purchaseId}</td>
          </tr>
        </table>
        ${button(input.libraryLink, 'Open my library')}`,
    ),
  };
}

export function refundNotice(
  input: SaleFacts & { refundedCents: number; full: boolean },
): RenderedMail {
  const refunded = formatMoney(input.refundedCents, input.currency);
  const paid = formatMoney(input.amountCents, input.currency);
  const subject = `Refund: ${oneLine(input.productTitle)}`;
  const access = input.full
    ? 'The product is no longer available for download.'
    : 'You keep access to the product.';
  return {
    subject,
    text: `Your purchase of "${input.productTitle}" (${paid}) has been refunded: ${refunded} in total.
${access}
It may take a few days for the money to appear on your statement.

Order: ${input.purchaseId}
`,
    html: layout(
      subject,
      html`<p>
          Your purchase of <strong>${input.productTitle}</strong> (${paid}) has been refunded:
          ${refunded} in total.
        </p>
        <p>${access}</p>
        <p>It may take a few days for the money to appear on your statement.</p>
        <p style="font-size:13px;color:#666">Order: ${input.purchaseId}</p>`,
    ),
  };
}

export function newSale(input: SaleFacts & { dashboardLink: string }): RenderedMail {
  const amount = formatMoney(input.amountCents, input.currency);
  const subject = `New sale: ${oneLine(input.productTitle)} (${amount})`;
  return {
    subject,
    text: `You made a sale.

Product: ${input.productTitle}
Amount: ${amount}
Order: ${input.purchaseId}

Your sales and earnings: ${input.dashboardLink}
`,
    html: layout(
      subject,
      html`<p>You made a sale.</p>
        <table style="border-collapse:collapse">
          <tr>
            <td style="padding:2px 12px 2px 0;color:#666">Product</td>
            <td>${input.productTitle}</td>
          </tr>
          <tr>
            <td style="padding:2px 12px 2px 0;color:#666">Amount</td>
            <td>${amount}</td>
          </tr>
          <tr>
            <td style="padding:2px 12px 2px 0;color:#666">Order</td>
            <td>${input.purchaseId}</td>
          </tr>
        </table>
        ${button(input.dashboardLink, 'Open my dashboard')}`,
    ),
  };
}

export function newVersion(input: {
  productTitle: string;
  version: number;
  note: string | null;
  libraryLink: string;
}): RenderedMail {
  const subject = `New version: ${oneLine(input.productTitle)}`;
  const note = input.note?.trim() ? input.note.trim() : null;
  return {
    subject,
    text: `A new version (${input.version}) of "${input.productTitle}" is ready for you.
${note === null ? '' : `\nWhat changed:\n${note}\n`}
Download it from your library:
${input.libraryLink}
`,
    html: layout(
      subject,
      html`<p>
          A new version (${String(input.version)}) of <strong>${input.productTitle}</strong> is
          ready for you.
        </p>
        ${
          note === null
            ? ''
            : html`<p>What changed:</p>
                <p style="white-space:pre-line">${note}</p>`
        }
        ${button(input.libraryLink, 'Open my library')}`,
    ),
  };
}
