import type { Schemas } from '@creator-files/client';
import { useState } from 'react';
import { api, call, fetchFile } from '../api';
import { useAction, useLoad, usePagedList } from '../hooks';
import { formatMoney } from '../money';
import { ErrorMessage } from './ErrorMessage';
import { SalesChart } from './SalesChart';

type Sale = Schemas['SaleDto'];
type SalePage = Schemas['SalePageDto'];

// The route answers CSV too (typed as string): JSON was asked for, so a string is a surprise.
function salesPage(answer: SalePage | string): SalePage {
  if (typeof answer === 'string') throw new TypeError('Expected the sales page as JSON');
  return answer;
}

const PERIODS = [7, 30, 90, 365];
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Today's date in the reader's time zone, minus `days`, as YYYY-MM-DD. */
function localDate(daysAgo: number): string {
  const date = new Date();
  date.setDate(date.getDate() - daysAgo);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const STATUS_LABELS: Record<Sale['status'], string> = {
  pending: 'Pending',
  paid: 'Paid',
  failed: 'Failed',
  expired: 'Expired',
  refunded: 'Refunded',
  disputed: 'Disputed',
};

/** Refunds what is left of a paid sale, after a second click that names the amount. */
function RefundButton({ sale, onRefunded }: { sale: Sale; onRefunded: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const left = sale.amountCents - sale.refundedCents;
  if (sale.status !== 'paid' || left <= 0) return null;
  const refund = () =>
    run(async () => {
      await call(() =>
        api.POST('/creator/sales/{purchaseId}/refund', {
          params: { path: { purchaseId: sale.purchaseId } },
          body: {},
        }),
      );
      onRefunded();
    });
  return (
    <div className="actions">
      {confirming ? (
        <>
          <button type="button" className="danger" disabled={busy} onClick={() => void refund()}>
            Refund {formatMoney(left, sale.currency)} to {sale.buyerEmail}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Refund
          <span className="visually-hidden">
            {' '}
            {sale.productTitle} to {sale.buyerEmail}
          </span>
        </button>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

/** Totals, a chart per currency and the sales list for a period, with a CSV export. */
export function SalesReport({ refreshKey }: { refreshKey: number }) {
  const [days, setDays] = useState(30);
  // A refund changes the totals and the chart as well as the row.
  const [refunds, setRefunds] = useState(0);
  const from = localDate(days - 1);
  const to = localDate(0);
  const period = { from, to, tz: TIME_ZONE };
  const [stats] = useLoad(
    () => call(() => api.GET('/creator/stats', { params: { query: period } })),
    `${from}/${to}/${refreshKey}/${refunds}`,
  );
  const list = usePagedList(
    (cursor) =>
      call(() =>
        api.GET('/creator/sales', {
          params: { query: { ...period, limit: 25, cursor } },
          headers: { Accept: 'application/json' },
        }),
      ).then(salesPage),
    `${from}/${to}/${refreshKey}/${refunds}`,
  );
  const sales = list.items;
  const exporting = useAction({ reusable: true });

  const exportCsv = () =>
    exporting.run(async () => {
      const query = new URLSearchParams({ ...period, format: 'csv' });
      const { blob, filename } = await fetchFile(`/creator/sales?${query.toString()}`, 'text/csv');
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename ?? `sales-${from}-to-${to}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  return (
    <section aria-labelledby="sales-title">
      <div className="section-header">
        <h2 id="sales-title">Sales</h2>
        <div className="field field--inline">
          <label htmlFor="period">Period</label>
          <select
            id="period"
            value={days}
            onChange={(event) => setDays(Number(event.target.value))}
          >
            {PERIODS.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </select>
        </div>
      </div>

      {stats.status === 'loading' && <p aria-live="polite">Loading figures…</p>}
      {stats.status === 'error' && <ErrorMessage error={stats.error} />}
      {stats.status === 'ready' && stats.data.totals.length === 0 && (
        <p>
          No sales from {from} to {to} yet.
        </p>
      )}
      {stats.status === 'ready' &&
        stats.data.totals.map((total) => (
          <div key={total.currency} className="currency-report">
            <h3>{total.currency.toUpperCase()}</h3>
            <dl className="totals">
              <div>
                <dt>Sales</dt>
                <dd>{total.sales}</dd>
              </div>
              <div>
                <dt>Gross</dt>
                <dd>{formatMoney(total.grossCents, total.currency)}</dd>
              </div>
              <div>
                <dt>Refunded</dt>
                <dd>{formatMoney(total.refundedCents, total.currency)}</dd>
              </div>
              <div>
                <dt>Net</dt>
                <dd>{formatMoney(total.netCents, total.currency)}</dd>
              </div>
            </dl>
            <SalesChart
              currency={total.currency}
              from={stats.data.from}
              to={stats.data.to}
              points={stats.data.daily.filter((point) => point.currency === total.currency)}
            />
          </div>
        ))}

      <div className="section-header">
        <h3 id="sales-list-title">Every sale</h3>
        <button type="button" disabled={exporting.busy} onClick={() => void exportCsv()}>
          {exporting.busy ? 'Preparing CSV…' : 'Export CSV'}
        </button>
      </div>
      <ErrorMessage error={exporting.error} />
      <ErrorMessage error={list.error} />
      {sales !== null && sales.length === 0 && <p>No sales in this period.</p>}
      {sales !== null && sales.length > 0 && (
        <div className="table-scroll" role="region" aria-labelledby="sales-list-title" tabIndex={0}>
          <table className="sales-table">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Product</th>
                <th scope="col">Buyer</th>
                <th scope="col" className="number">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sales.map((sale) => (
                <tr key={sale.purchaseId}>
                  <td>{new Date(sale.paidAt).toLocaleString()}</td>
                  <td>{sale.productTitle}</td>
                  <td>{sale.buyerEmail}</td>
                  <td className="number">
                    {formatMoney(sale.amountCents, sale.currency)}
                    {sale.refundedCents > 0 && (
                      <span className="hint">
                        {' '}
                        ({formatMoney(sale.refundedCents, sale.currency)} refunded)
                      </span>
                    )}
                  </td>
                  <td>{STATUS_LABELS[sale.status]}</td>
                  <td>
                    <RefundButton sale={sale} onRefunded={() => setRefunds((n) => n + 1)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasMore && (
        <button type="button" disabled={list.loading} onClick={list.loadMore}>
          Show more sales
        </button>
      )}
    </section>
  );
}
