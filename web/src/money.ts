// Prices travel as integer minor units beside a lower-case ISO currency; people read and type
// major units ("12.50"). Zero-decimal currencies (JPY) have no fraction.

/** Digits after the decimal point for a currency, from the runtime's ISO 4217 data. */
export function fractionDigits(currency: string): number {
  const format = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  return format.resolvedOptions().maximumFractionDigits ?? 2;
}

/** "$12.50", "¥1,200", "€9.00" (in the reader's locale); a zero price reads "Free". */
export function formatPrice(cents: number, currency: string, locale?: string): string {
  if (cents === 0) return 'Free';
  return formatMoney(cents, currency, locale);
}

/** Like formatPrice but zero stays a sum ("$0.00"): for totals and refunds. */
export function formatMoney(cents: number, currency: string, locale?: string): string {
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
  }).format(cents / 10 ** digits);
}

/** Minor units as a plain major-unit number for an input field: 1250 usd -> "12.50". */
export function toMajorUnits(cents: number, currency: string): string {
  const digits = fractionDigits(currency);
  return (cents / 10 ** digits).toFixed(digits);
}

/**
 * A typed major-unit price to minor units: "12.5" usd -> 1250, "1200" jpy -> 1200.
 * Accepts "," as the decimal mark; null when it is not a price in that currency.
 */
export function parsePrice(text: string, currency: string): number | null {
  const digits = fractionDigits(currency);
  const value = text.trim().replace(',', '.');
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(value)) return null;
  const [whole, fraction = ''] = value.split('.');
  const cents = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(cents) ? cents : null;
}

/** File sizes as people read them: "830 B", "1.2 MB". */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
