import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { invalid, isIntlTimeZone } from './period.js';

/**
 * Zones both PostgreSQL (which computes the days) and the JavaScript runtime know. Only names
 * from pg_timezone_names pass: PostgreSQL would also take abbreviations and POSIX strings such
 * as `UTC+5`, which mean something else than they seem.
 */
@Injectable()
export class TimeZones {
  private names?: Promise<Set<string>>;

  constructor(private readonly dataSource: DataSource) {}

  async check(tz: string | undefined): Promise<string> {
    const zone = tz ?? 'UTC';
    if (!isIntlTimeZone(zone) || !(await this.serverNames()).has(zone)) {
      throw invalid(
        'tz',
        `tz must be an IANA time zone such as Europe/Paris, not ${JSON.stringify(zone)}`,
      );
    }
    return zone;
  }

  // The list is read once: it only changes with the server's tzdata.
  private serverNames(): Promise<Set<string>> {
    this.names ??= this.dataSource
      .query<{ name: string }[]>('SELECT name FROM pg_timezone_names')
      .then((rows) => new Set(rows.map((r) => r.name)))
      .catch((error: unknown) => {
        this.names = undefined;
        throw error;
      });
    return this.names;
  }
}
