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

/** An amount in minor units as people read it: 1250 usd is "$12.50", 500 jpy is "¥500". */
export function formatMoney(minorUnits: number, currency: string): string {
  const format = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}
