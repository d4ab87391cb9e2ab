import { useId } from 'react';
import { formatMoney } from '../money';

export interface DailyPoint {
  date: string;
  grossCents: number;
  sales: number;
}

const DAY_MS = 86_400_000;

/** Every date from `from` to `to` (YYYY-MM-DD, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 16, right: 8, bottom: 28, left: 8 };

/**
 * Gross sales per day in one currency, as SVG bars (one currency per chart: sums in different
 * currencies do not add up). Screen readers get the title and the caption's summary; the sales
 * table carries every figure.
 */
export function SalesChart({
  currency,
  points,
  from,
  to,
}: {
  currency: string;
  points: DailyPoint[];
  from: string;
  to: string;
}) {
  const id = useId();
  const byDay = new Map(points.map((p) => [p.date, p]));
  const days = daysBetween(from, to);
  const max = Math.max(1, ...points.map((p) => p.grossCents));
  const total = points.reduce((sum, p) => sum + p.grossCents, 0);
  const sales = points.reduce((sum, p) => sum + p.sales, 0);
  const best = points.reduce<DailyPoint | null>(
    (top, p) => (top === null || p.grossCents > top.grossCents ? p : top),
    null,
  );
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.7);
  const summary =
    `${sales} ${sales === 1 ? 'sale' : 'sales'} for ${formatMoney(total, currency)} from ${from} to ${to}` +
    (best === null
      ? '.'
      : `; the best day was ${best.date} with ${formatMoney(best.grossCents, currency)}.`);

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-caption`}
      >
        <title id={`${id}-title`}>{`Daily sales in ${currency.toUpperCase()}`}</title>
        <line
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={HEIGHT - PAD.bottom}
          y2={HEIGHT - PAD.bottom}
          className="chart-axis"
        />
        {days.map((day, index) => {
          const point = byDay.get(day);
          if (point === undefined || point.grossCents === 0) return null;
          const height = (point.grossCents / max) * plotHeight;
          return (
            <rect
              key={day}
              className="chart-bar"
              data-date={day}
              x={PAD.left + index * slot + (slot - barWidth) / 2}
              y={HEIGHT - PAD.bottom - height}
              width={barWidth}
              height={height}
            >
              <title>{`${day}: ${formatMoney(point.grossCents, currency)} (${point.sales} ${point.sales === 1 ? 'sale' : 'sales'})`}</title>
            </rect>
          );
        })}
        <text x={PAD.left} y={HEIGHT - 8} className="chart-label">
          {from}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 8} className="chart-label" textAnchor="end">
          {to}
        </text>
        <text x={PAD.left} y={PAD.top - 4} className="chart-label">
          {`max ${formatMoney(max === 1 && total === 0 ? 0 : max, currency)}`}
        </text>
      </svg>
      <figcaption id={`${id}-caption`}>{summary}</figcaption>
    </figure>
  );
}
