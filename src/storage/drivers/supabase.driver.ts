import { HttpStatus, Logger } from '@nestjs/common';
import { createClient, StorageApiError } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { cleanDownloadName } from '../content-disposition.js';
import {
  assertValidKey,
  ObjectExistsException,
  ObjectTooLargeException,
  safeContentType,
  StorageUnavailableException,
} from '../storage.errors.js';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type {
  ByteRange,
  PutObjectParams,
  SignedUrl,
  SignedUrlParams,
  StorageDriver,
} from '../storage.interface.js';

export interface SupabaseStorageOptions {
  url: string;
  serviceRoleKey: string;
  bucket: string;
}

// The storage API answers most errors as HTTP 400 with the real status in the body's
// `statusCode` (a string) and a name in `code`; storage-js copies both onto StorageApiError.
const realStatus = (error: unknown): string | undefined =>
  error instanceof StorageApiError ? error.statusCode : undefined;
const errorCode = (error: unknown): string | undefined =>
  error instanceof StorageApiError ? error.code : undefined;

const isMissingObject = (error: unknown): boolean =>
  errorCode(error) === 'NoSuchKey' ||
  (realStatus(error) === '404' && errorCode(error) !== 'NoSuchBucket');

/** storage-js's `cacheControl` upload option, in seconds (not a Cache-Control header value). */
const NO_CACHE_SECONDS = '0';

/**
 * Objects in a private Supabase Storage bucket, through the official client with the
 * service-role key. Links are the storage server's own signed URLs.
 */
export class SupabaseStorageDriver implements StorageDriver {
  readonly name = 'supabase' as const;
  private readonly logger = new Logger('SupabaseStorage');
  private readonly storage: ReturnType<typeof createClient>['storage'];

  constructor(private readonly options: SupabaseStorageOptions) {
    this.storage = createClient(options.url, options.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // supabase-js looks for a WebSocket at construction; Node 20 has none built in.
      realtime: { transport: WebSocket as never },
    }).storage;
  }

  private get bucket() {
    return this.storage.from(this.options.bucket);
  }

  async put({ key, body, contentType }: PutObjectParams): Promise<void> {
    try {
      assertValidKey(key);
    } catch (error) {
      body.destroy();
      throw error;
    }
    // If the body fails (an aborted or too-large upload), fetch aborts the request and the
    // storage keeps nothing; the caller gets the body's own error, not a network one.
    let bodyError: Error | undefined;
    const onError = (error: Error) => {
      bodyError ??= error;
    };
    body.on('error', onError);
    try {
      const { error } = await this.bucket.upload(key, body, {
        contentType: safeContentType(contentType),
        upsert: false,
        // A number of seconds: storage-js sends `max-age=<this>` itself, and the storage
        // serves it back on every signed download. Links live a minute; nothing should keep them.
        cacheControl: NO_CACHE_SECONDS,
        duplex: 'half',
      });
      if (bodyError !== undefined) throw bodyError;
      if (error !== null) throw this.failure('upload', key, error);
    } finally {
      body.off('error', onError);
      // The storage may answer (409, 413...) before reading the whole body: release it.
      if (!body.readableEnded) body.destroy();
    }
  }

  async signedDownloadUrl(params: SignedUrlParams): Promise<SignedUrl> {
    assertValidKey(params.key);
    // The storage's token expires at its clock's second + ttl: never promise more than that.
    const expiresAt = new Date(Math.floor(Date.now() / 1000 + params.expiresInSeconds) * 1000);
    const { data, error } = await this.bucket.createSignedUrl(params.key, params.expiresInSeconds);
    if (error !== null) throw this.failure('sign', params.key, error);
    // storage-js 2.x passes `download` through URLSearchParams and then encodeURI, so any
    // `%` it produced is encoded twice and "Café.pdf" arrives as "Caf%C3%A9.pdf"
    // (supabase/supabase-js#2468). Append the parameter ourselves, encoded once.
    const url = new URL(data.signedUrl);
    url.searchParams.set('download', cleanDownloadName(params.filename));
    return { url: url.toString(), expiresAt };
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const { error } = await this.bucket.remove([key]);
    if (error !== null && !isMissingObject(error)) throw this.failure('delete', key, error);
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertValidKey(key);
    const { data, error } = await this.bucket.info(key);
    if (error !== null) {
      if (isMissingObject(error)) return null;
      throw this.failure('stat', key, error);
    }
    return { size: Number(data.size ?? 0) };
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    assertValidKey(key);
    // A short-lived signed URL read with a Range header: the client library downloads whole
    // objects only, and a type check needs just the first bytes of a file of gigabytes.
    const { data, error } = await this.bucket.createSignedUrl(key, 60);
    if (error !== null) {
      if (isMissingObject(error)) return null;
      throw this.failure('read', key, error);
    }
    let response: Response;
    try {
      response = await fetch(data.signedUrl, {
        headers: range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` },
      });
    } catch (cause) {
      throw this.failure('read', key, cause);
    }
    if (response.status === 200 || response.status === 206) {
      if (response.body === null) return Readable.from([]);
      return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    }
    await response.body?.cancel();
    if (response.status === 400 || response.status === 404) return null;
    throw this.failure('read', key, new Error(`signed URL answered ${response.status}`));
  }

  async checkReady(): Promise<void> {
    const { data, error } = await this.storage.getBucket(this.options.bucket);
    if (error !== null) {
      const why = errorCode(error) ?? (realStatus(error) ? `status ${realStatus(error)}` : null);
      this.logger.warn({ err: error }, `Supabase bucket ${this.options.bucket} is not reachable`);
      throw new Error(
        why !== null
          ? `bucket "${this.options.bucket}" is not available (${why})`
          : 'the storage server cannot be reached',
      );
    }
    if (data.public) {
      throw new Error(`bucket "${this.options.bucket}" is public; it must be private`);
    }
  }

  /** A clear domain error for the client; the storage's own words go to the log only. */
  private failure(operation: string, key: string, error: unknown): Error {
    const status = realStatus(error);
    const code = errorCode(error);
    if (status === '409' || code === 'KeyAlreadyExists' || code === 'ResourceAlreadyExists') {
      return new ObjectExistsException();
    }
    if (status === '413' || code === 'EntityTooLarge') return new ObjectTooLargeException();
    this.logger.error({ err: error, key, status, code }, `Supabase storage ${operation} failed`);
    // No answer at all (network, DNS): unavailable; an answer we cannot use: a bad gateway.
    return new StorageUnavailableException(
      error instanceof StorageApiError ? HttpStatus.BAD_GATEWAY : HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
