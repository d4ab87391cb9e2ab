import { HttpStatus, Logger } from '@nestjs/common';
import { createClient, StorageApiError } from '@supabase/supabase-js';
import mime from 'mime-types';
import WebSocket from 'ws';
import { notFound } from '../../common/domain.exception.js';
import { StorageUnavailableException } from '../../storage/storage.errors.js';
import type { UploadSession } from '../upload-session.entity.js';
import type { TusTarget, UploadStore } from '../upload-store.interface.js';

export interface SupabaseTusOptions {
  url: string;
  serviceRoleKey: string;
  bucket: string;
  maxUploadBytes: number;
  allowedExtensions: readonly string[];
}

/** Supabase's resumable endpoint takes chunks of exactly 6 MiB (its documented setting). */
export const SUPABASE_CHUNK_BYTES = 6 * 1024 * 1024;

// Whole families whose exact subtype a sniffer may name differently from the extension's.
const TYPE_FAMILIES = ['image/*', 'audio/*', 'video/*', 'font/*', 'text/*'];
const CONTAINERS = [
  'application/octet-stream',
  'application/zip',
  'application/x-cfb',
  'application/gzip',
  'application/xml',
];

/** What the bucket may hold: the types of the allowed extensions, and never a program's. */
export function bucketMimeTypes(extensions: readonly string[]): string[] {
  const byExtension = extensions
    .map((extension) => mime.lookup(extension))
    .filter((type): type is string => type !== false);
  return [...new Set([...byExtension, ...TYPE_FAMILIES, ...CONTAINERS])].sort();
}

/**
 * Resumable uploads straight to Supabase Storage: the API signs an upload token for the
 * session's key (createSignedUploadUrl, valid 2 hours on hosted Supabase) and the client sends
 * the bytes to Supabase's tus endpoint with it. The bytes never pass through the API and the
 * client never sees the service-role key.
 */
export class SupabaseTusStore implements UploadStore {
  readonly name = 'supabase' as const;
  private readonly logger = new Logger('SupabaseUploads');
  private readonly storage: ReturnType<typeof createClient>['storage'];

  constructor(private readonly options: SupabaseTusOptions) {
    this.storage = createClient(options.url, options.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    }).storage;
  }

  async target(session: UploadSession): Promise<TusTarget> {
    const { data, error } = await this.storage
      .from(this.options.bucket)
      .createSignedUploadUrl(session.storageKey);
    if (error !== null) {
      this.logger.error({ err: error }, 'Could not sign a resumable upload');
      throw new StorageUnavailableException(
        error instanceof StorageApiError ? HttpStatus.BAD_GATEWAY : HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    return {
      endpoint: `${this.options.url.replace(/\/+$/, '')}/storage/v1/upload/resumable/sign`,
      headers: { 'x-signature': data.token },
      metadata: {
        bucketName: this.options.bucket,
        objectName: session.storageKey,
        contentType: session.contentType,
        cacheControl: '3600',
      },
      chunkSize: SUPABASE_CHUNK_BYTES,
    };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async
  async handle(): Promise<void> {
    throw notFound('Upload endpoint');
  }

  /** Supabase keeps an unfinished upload's parts itself and drops them when its URL expires. */
  async forget(): Promise<void> {}

  /**
   * Defence in depth: Supabase does not size-check a chunked upload as it arrives, so the
   * bucket's own limit and type list are set to what the app accepts (logged, not fatal, when
   * the key may not change the bucket).
   */
  async prepare(): Promise<void> {
    const { error } = await this.storage.updateBucket(this.options.bucket, {
      public: false,
      fileSizeLimit: this.options.maxUploadBytes,
      allowedMimeTypes: bucketMimeTypes(this.options.allowedExtensions),
    });
    if (error !== null) {
      this.logger.warn(
        { err: error },
        `Could not set the size limit and types of bucket ${this.options.bucket}`,
      );
    }
  }
}
