/** What a template gives: the subject and both bodies of one message. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** Markup that is already safe (made by `html`), kept as is when interpolated. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A tagged template for HTML: every interpolated value is escaped unless it came from `html`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    const parts: unknown[] = Array.isArray(value) ? value : [value];
    out += parts
      .map((part) => (part instanceof SafeHtml ? part.value : escapeHtml(String(part))))
      .join('');
    out += strings[i + 1];
  });
  return new SafeHtml(out);
}

/** One line, so a title a creator typed can never add a header or a line to a subject. */
export const oneLine = (value: string): string => value.replace(/[\r\n\t]+/g, ' ').trim();

/** The shared frame of every message: a plain page that reads well in any client. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body
        style="margin:0;padding:24px;background:#f6f6f6;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;line-height:1.5"
      >
        <div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
          ${body}
        </div>
      </body>
    </html> `.value;
}

export const button = (href: string, label: string) =>
  html`<p>
    <a
      href="${href}"
      style="display:inline-block;padding:10px 18px;background:#222;color:#fff;text-decoration:none;border-radius:6px"
      >${label}</a
    >
  </p>`;

// Making an Intl.NumberFormat costs far more than using one (it loads locale data): one per
// currency, kept. Currencies come from purchases (ISO codes), so the map stays small; the bound
// only guards against a flood of odd values.
const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** An amount in minor units as people read it: 1250 usd is "$12.50", 500 jpy is "¥500". */
export function formatMoney(minorUnits: number, currency: string): string {
  const code = currency.toUpperCase();
  let money = moneyFormats.get(code);
  if (money === undefined) {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency: code });
    money = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    if (moneyFormats.size >= 64) moneyFormats.clear();
    moneyFormats.set(code, money);
  }
  return money.format.format(minorUnits / 10 ** money.digits);
}
