import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';

/** The longest period `GET /creator/stats` answers for: a leap year, inclusive. */
export const MAX_PERIOD_DAYS = 366;
/** The default period: the last 30 days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const LAST_DAY = Date.UTC(9999, 11, 31) / DAY_MS;

/** Days since 1970-01-01 of a valid `YYYY-MM-DD`, or undefined (2023-02-30 is not a date). */
export function dayNumber(date: string): number | undefined {
  if (!DATE_PATTERN.test(date)) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  // Years before 1900 are typos, and Date.UTC reads years 0-99 as 1900-1999.
  if (y < 1900) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
    return undefined;
  }
  return ms / DAY_MS;
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The calendar date of an instant as seen in `tz`. */
export function localDate(instant: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Whether the JavaScript runtime knows the IANA zone (the server must know it too). */
export function isIntlTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function invalid(field: string, error: string): DomainException {
  return new DomainException(
    HttpStatus.BAD_REQUEST,
    ErrorCode.ValidationFailed,
    `Request validation failed: ${error}`,
    { fields: [{ field, errors: [error] }] },
  );
}

export interface Period {
  from: string;
  to: string;
  tz: string;
  days: number;
}

/**
 * The inclusive date range a query covers. `from`/`to` have passed the DTO's format check;
 * here they are checked as calendar dates and against each other.
 */
export function resolveDates(
  input: { from?: string; to?: string; tz: string },
  options: { now: Date; maxDays?: number; defaultDays?: number },
): { from?: string; to?: string } {
  const from = input.from === undefined ? undefined : dayNumber(input.from);
  const to = input.to === undefined ? undefined : dayNumber(input.to);
  if (input.from !== undefined && from === undefined) {
    throw invalid('from', 'from must be a calendar date YYYY-MM-DD');
  }
  if (input.to !== undefined && to === undefined) {
    throw invalid('to', 'to must be a calendar date YYYY-MM-DD');
  }
  let start = from;
  let end = to;
  if (options.defaultDays !== undefined) {
    // Defaults: the period ends today in tz, or starts `from`, and lasts `defaultDays`.
    if (end === undefined) {
      end =
        start !== undefined
          ? start + options.defaultDays - 1
          : dayNumber(localDate(options.now, input.tz));
    }
    start ??= (end as number) - options.defaultDays + 1;
  }
  if (end !== undefined && end > LAST_DAY) throw invalid('to', 'to must be before year 10000');
  if (start !== undefined && end !== undefined) {
    if (start > end) throw invalid('from', 'from must not be after to');
    if (options.maxDays !== undefined && end - start + 1 > options.maxDays) {
      throw invalid('to', `the period may cover at most ${options.maxDays} days`);
    }
  }
  return {
    from: start === undefined ? undefined : dateOfDay(start),
    to: end === undefined ? undefined : dateOfDay(end),
  };
}
