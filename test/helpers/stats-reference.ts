// A plain, slow, obviously-correct version of the figures, computed in TypeScript from the rows
// a test inserted, to compare the API with. Days come from Intl, not from the database.

export interface RefProduct {
  id: string;
  creatorId: string;
  title: string;
  status: string;
  currency: string;
  createdAt: Date;
}

export interface RefPurchase {
  id: string;
  buyerId: string;
  productId: string;
  amountCents: number;
  currency: string;
  status: string;
  refundedCents: number;
  /** The platform fee taken, and the part of it refunded (default 0). */
  feeCents?: number;
  feeRefundedCents?: number;
  paidAt: Date | null;
}

/** Gross, refunded, net, fee kept and the creator's earnings of some sales. */
function money(rows: RefPurchase[]) {
  const grossCents = rows.reduce((sum, s) => sum + s.amountCents, 0);
  const refundedCents = rows.reduce((sum, s) => sum + s.refundedCents, 0);
  const feeCents = rows.reduce((sum, s) => sum + (s.feeCents ?? 0) - (s.feeRefundedCents ?? 0), 0);
  const netCents = grossCents - refundedCents;
  return { grossCents, refundedCents, netCents, feeCents, earningsCents: netCents - feeCents };
}

export interface RefDownload {
  productId: string;
  createdAt: Date;
}

export function dayInZone(instant: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function figures(sales: RefPurchase[]) {
  const currencies = [...new Set(sales.map((s) => s.currency))].sort(byString);
  return currencies.map((currency) => {
    const rows = sales.filter((s) => s.currency === currency);
    return {
      currency,
      sales: rows.length,
      ...money(rows),
      buyers: new Set(rows.map((s) => s.buyerId)).size,
    };
  });
}

export function referenceStats(input: {
  creatorId: string;
  products: RefProduct[];
  purchases: RefPurchase[];
  downloads: RefDownload[];
  from: string;
  to: string;
  tz: string;
}) {
  const { from, to, tz } = input;
  const inPeriod = (instant: Date) => {
    const day = dayInZone(instant, tz);
    return day >= from && day <= to;
  };
  const mine = input.products
    .filter((p) => p.creatorId === input.creatorId)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byString(b.id, a.id));
  const mineIds = new Set(mine.map((p) => p.id));
  const sales = input.purchases.filter((p) => mineIds.has(p.productId) && p.paidAt !== null);
  const periodSales = sales.filter((s) => inPeriod(s.paidAt as Date));
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  const currencies = [
    ...new Set([...periodSales.map((s) => s.currency), ...mine.map((p) => p.currency)]),
  ].sort(byString);
  return {
    from,
    to,
    tz,
    totals: figures(periodSales),
    lifetime: figures(sales),
    products: mine.map((p) => ({
      id: p.id,
      title: p.title,
      status: p.status,
      downloads: input.downloads.filter((d) => d.productId === p.id && inPeriod(d.createdAt))
        .length,
      figures: figures(periodSales.filter((s) => s.productId === p.id)).map(
        ({ buyers: _buyers, ...rest }) => rest,
      ),
    })),
    daily: days.flatMap((date) =>
      currencies.map((currency) => {
        const rows = periodSales.filter(
          (s) => s.currency === currency && dayInZone(s.paidAt as Date, tz) === date,
        );
        return {
          date,
          currency,
          sales: rows.length,
          ...money(rows),
        };
      }),
    ),
    /** The period's sales in the list's order: newest first by (paid time, id). */
    saleIds: periodSales
      .sort(
        (a, b) =>
          (b.paidAt as Date).getTime() - (a.paidAt as Date).getTime() || byString(b.id, a.id),
      )
      .map((s) => s.id),
  };
}

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
