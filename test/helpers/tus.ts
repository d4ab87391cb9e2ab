import { request as httpRequest } from 'node:http';
import * as tus from 'tus-js-client';
import type { Account } from './factories.js';
import type { TestApp } from './test-app.js';

/** The answer of `POST /creator/uploads`. */
export interface UploadSessionBody {
  id: string;
  tusEndpoint: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  chunkSize: number | null;
  fileName: string;
  size: number;
  expiresAt: string;
}

export async function startUpload(
  t: TestApp,
  creator: Account,
  body: { fileName: string; size: number; contentType?: string },
): Promise<UploadSessionBody> {
  const res = await t.http.post('/creator/uploads').set(creator.auth).send(body);
  if (res.status !== 201)
    throw new Error(`start upload: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as UploadSessionBody;
}

export interface TusRun {
  url: string;
  chunks: number;
}

/**
 * Sends `data` with tus-js-client, as a browser app would: the session's endpoint, headers and
 * metadata, plus the extra headers given (the bearer token for the local driver).
 */
export function tusSend(
  session: UploadSessionBody,
  data: Buffer,
  options: { headers?: Record<string, string>; chunkSize?: number; uploadUrl?: string } = {},
): Promise<TusRun> {
  return new Promise((resolve, reject) => {
    let chunks = 0;
    const upload = new tus.Upload(data, {
      endpoint: session.tusEndpoint,
      uploadUrl: options.uploadUrl ?? null,
      headers: { ...session.headers, ...options.headers },
      metadata: session.metadata,
      chunkSize: options.chunkSize ?? session.chunkSize ?? Infinity,
      retryDelays: [],
      onChunkComplete: () => {
        chunks += 1;
      },
      onError: reject,
      onSuccess: () => resolve({ url: upload.url ?? '', chunks }),
    });
    upload.start();
  });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw tus request (for the edge cases a well-behaved client never sends). */
export function tusRequest(
  url: string,
  method: 'POST' | 'HEAD' | 'PATCH' | 'DELETE',
  headers: Record<string, string>,
  body?: Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A PATCH whose connection drops after `sent` bytes of a body announced as `total`: what a
 * laptop closing its lid mid-upload does. Resolves once the socket is gone.
 */
export function droppedPatch(
  url: string,
  headers: Record<string, string>,
  data: Buffer,
  sent: number,
  waitForServer: () => Promise<void>,
): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method: 'PATCH',
      headers: { ...headers, 'Content-Length': String(data.length) },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(data.subarray(0, sent), () => {
      void waitForServer().finally(() => req.destroy());
    });
  });
}

export const tusHeaders = (creator: Account, extra: Record<string, string> = {}) => ({
  ...creator.auth,
  'Tus-Resumable': '1.0.0',
  ...extra,
});
