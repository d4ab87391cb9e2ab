import type { Request, Response } from 'express';
import type { UploadSession } from './upload-session.entity.js';

/** Injection token of the resumable-upload store that matches STORAGE_DRIVER. */
export const UPLOAD_STORE = Symbol('UPLOAD_STORE');

/** Where and how a tus client sends a session's bytes. */
export interface TusTarget {
  /** The tus creation endpoint (POST), or the upload URL to resume at. */
  endpoint: string;
  /** Headers to send with every tus request, beside `Tus-Resumable`. */
  headers: Record<string, string>;
  /** The tus `Upload-Metadata`, as plain (not base64) values. */
  metadata: Record<string, string>;
  /** The chunk size the store expects (Supabase: exactly 6 MiB), or null for any. */
  chunkSize: number | null;
}

/**
 * The server side of resumable uploads: the app's own tus server on the local driver,
 * Supabase's resumable endpoint on the supabase driver. Objects land under the session's
 * storage key, so STORAGE reads, stats and deletes them like any other.
 */
export interface UploadStore {
  readonly name: 'local' | 'supabase';
  target(session: UploadSession): Promise<TusTarget>;
  /**
   * Answers a tus request for a session the caller owns (local driver only); throws NOT_FOUND
   * where uploads go elsewhere.
   */
  handle(session: UploadSession, req: Request, res: Response): Promise<void>;
  /** Readies the store at boot (Supabase: the bucket's own size and type limits). */
  prepare?(): Promise<void>;
  /** Drops the store's own bookkeeping of a session (not its object); missing is fine. */
  forget(session: UploadSession): Promise<void>;
}
