import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { contentDisposition } from './content-disposition.js';
import { LocalStorageDriver, type OpenedObject } from './drivers/local.driver.js';
import { STORAGE, type StorageDriver } from './storage.interface.js';

interface ByteRange {
  start: number;
  end: number;
}

/** Strong validator: changes whenever the object (key, size or write time) does. */
function entityTag(key: string, size: number, mtime: Date): string {
  const digest = createHash('sha256')
    .update(`${key}\0${size}\0${mtime.getTime()}`)
    .digest('base64url')
    .slice(0, 27);
  return `"${digest}"`;
}

/** RFC 9110 If-Range: a strong ETag that matches exactly, or the exact Last-Modified date. */
function ifRangeMatches(ifRange: string, etag: string, lastModified: Date): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return (
    !Number.isNaN(date) && Math.floor(date / 1000) === Math.floor(lastModified.getTime() / 1000)
  );
}

/** Serves objects of the local driver behind signed `/files/<token>` links. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger('Files');

  constructor(@Inject(STORAGE) private readonly storage: StorageDriver) {}

  async serve(token: string, req: Request, res: Response): Promise<void> {
    // Only the local driver's links point here; with Supabase the route does not exist.
    if (!(this.storage instanceof LocalStorageDriver)) throw notFound('File');
    const grant = this.storage.verifyLink(token);
    const object = await this.storage.open(grant.key);
    if (object === null) throw notFound('File');
    let streaming = false;
    try {
      const range = this.pickRange(req, object, grant.key);
      const etag = entityTag(grant.key, object.size, object.mtime);
      res.status(range === null ? HttpStatus.OK : HttpStatus.PARTIAL_CONTENT);
      res.set({
        'Content-Type': grant.contentType,
        'Content-Disposition': contentDisposition(grant.filename),
        ETag: etag,
        'Last-Modified': object.mtime.toUTCString(),
        'Accept-Ranges': 'bytes',
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
      });
      const { start, end } = range ?? { start: 0, end: object.size - 1 };
      res.setHeader('Content-Length', String(end - start + 1));
      if (range !== null) res.setHeader('Content-Range', `bytes ${start}-${end}/${object.size}`);
      if (req.method === 'HEAD' || end < start) {
        res.end();
        return;
      }
      // The read stream owns the handle from here: it closes it on end, error or abort.
      streaming = true;
      const stream = object.handle.createReadStream({ start, end, highWaterMark: 256 * 1024 });
      await pipeline(stream, res).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
        this.logger.warn({ err: error }, 'Streaming a file failed');
        res.destroy();
      });
    } finally {
      if (!streaming) await object.handle.close();
    }
  }

  /** The one range to send, or null for the whole object; 416 when none can be satisfied. */
  private pickRange(req: Request, object: OpenedObject, key: string): ByteRange | null {
    if (req.headers.range === undefined) return null;
    const ifRange = req.get('if-range');
    if (
      ifRange !== undefined &&
      !ifRangeMatches(ifRange, entityTag(key, object.size, object.mtime), object.mtime)
    ) {
      return null;
    }
    const ranges = req.range(object.size, { combine: true });
    if (ranges === -1) {
      throw new DomainException(
        HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
        ErrorCode.RangeNotSatisfiable,
        'The requested range is outside the file',
        undefined,
        { 'Content-Range': `bytes */${object.size}` },
      );
    }
    // Malformed, another unit, or several ranges: the whole file is a correct answer to each.
    if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) {
      return null;
    }
    return { start: ranges[0].start, end: ranges[0].end };
  }
}
