import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { HttpStatus, Logger } from '@nestjs/common';
import { FileStore } from '@tus/file-store';
import { FileKvStore, Server, type KvStore, type Upload } from '@tus/server';
import type { Request, Response } from 'express';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { DomainException } from '../../common/domain.exception.js';
import { ErrorCode } from '../../common/error-codes.js';
import type { UploadSession } from '../upload-session.entity.js';
import type { TusTarget, UploadStore } from '../upload-store.interface.js';

export interface LocalTusOptions {
  /** `DATA_DIR/storage`, the local storage driver's root: bytes land at the session's key. */
  storageRoot: string;
  /** Where the tus server keeps its own `<session>.json` bookkeeping. */
  metaDir: string;
  publicUrl: string;
  corsOrigins: readonly string[];
}

/** The controller hangs the caller's session on the request before tus sees it. */
interface SessionRequest extends IncomingMessage {
  uploadSession?: UploadSession;
}

/** The web Request @tus/server hands its hooks; the Node request is kept under runtime.node. */
interface TusRequest {
  runtime?: { node?: { req: SessionRequest } };
}

const sessionOf = (req: unknown): UploadSession | undefined =>
  (req as TusRequest).runtime?.node?.req.uploadSession;

/** tus hooks refuse by throwing `{ status_code, body }`; the body carries our error code. */
class TusRefusal extends Error {
  readonly body: string;
  constructor(
    readonly status_code: number,
    code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.body = `${code}: ${message}`;
  }
}
const refusal = (status: number, code: ErrorCode, message: string) =>
  new TusRefusal(status, code, message);

const CODE_BY_TUS_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.TusProtocolError,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.UploadOffsetMismatch,
  410: ErrorCode.UploadClosed,
  412: ErrorCode.TusProtocolError,
  413: ErrorCode.FileTooLarge,
  415: ErrorCode.UnsupportedMediaType,
};

/**
 * tus keys its bookkeeping by file id, which here is the storage key (`<creator>/uploads/<id>`):
 * one flat `<id>.json` per session keeps it out of the storage tree.
 */
class SessionKvStore implements KvStore<Upload> {
  private readonly files: FileKvStore<Upload>;
  constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    this.files = new FileKvStore<Upload>(directory);
  }
  private name(key: string): string {
    return key.split('/').pop() ?? key;
  }
  get(key: string) {
    return this.files.get(this.name(key));
  }
  set(key: string, value: Upload) {
    return this.files.set(this.name(key), value);
  }
  async delete(key: string) {
    await this.files.delete(this.name(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/**
 * The app's own tus 1.0 server (@tus/server with @tus/file-store) for the local driver. It
 * writes each upload's bytes straight to its final storage path, so nothing is copied or moved
 * when the upload becomes a product. The controller has already checked that the caller owns
 * the session; the hooks hold every request to that session's declared size and URL.
 */
export class LocalTusStore implements UploadStore {
  readonly name = 'local' as const;
  private readonly logger = new Logger('Uploads');
  private readonly meta: SessionKvStore;
  private readonly server: Server;

  constructor(private readonly options: LocalTusOptions) {
    this.meta = new SessionKvStore(options.metaDir);
    const datastore = new FileStore({ directory: options.storageRoot, configstore: this.meta });
    const origins = new Set(options.corsOrigins);
    this.server = new Server({
      path: '/uploads',
      datastore,
      // The declared size is the most any request of the session may bring.
      maxSize: (req) => sessionOf(req)?.size ?? 1,
      namingFunction: async (req) => {
        const session = sessionOf(req);
        if (session === undefined) throw refusal(404, ErrorCode.NotFound, 'Upload not found');
        // A second POST would truncate the bytes already received: resume with HEAD instead.
        if ((await this.meta.get(session.storageKey)) !== undefined) {
          throw refusal(
            409,
            ErrorCode.UploadExists,
            'This upload was already created; resume it with HEAD and PATCH at its URL',
          );
        }
        return session.storageKey;
      },
      getFileIdFromRequest: (req, lastPath) => {
        const session = sessionOf(req);
        return session !== undefined && lastPath === session.id ? session.storageKey : undefined;
      },
      generateUrl: (req) => `${options.publicUrl}/uploads/${sessionOf(req)?.id ?? ''}`,
      onUploadCreate: (req, upload) => {
        const session = sessionOf(req);
        if (upload.sizeIsDeferred || upload.size !== session?.size) {
          // Upload-Length: 0 ends here too: an empty file is never a product.
          return Promise.reject(
            refusal(
              400,
              ErrorCode.TusProtocolError,
              `Upload-Length must be the size declared for this upload (${session?.size ?? 0})`,
            ),
          );
        }
        return Promise.resolve({});
      },
      allowedOrigins: (origin) => origins.has(origin),
      exposedHeaders: ['X-Request-Id'],
      disableTerminationForFinishedUploads: true,
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async
  async target(session: UploadSession): Promise<TusTarget> {
    return {
      endpoint: `${this.options.publicUrl}/uploads/${session.id}`,
      headers: {},
      metadata: { filename: session.fileName, filetype: session.contentType },
      chunkSize: null,
    };
  }

  async handle(session: UploadSession, req: Request, res: Response): Promise<void> {
    (req as SessionRequest).uploadSession = session;
    const answer = await this.server.handleWeb(new NodeRequest({ req, res }));
    if (answer.status < 400) {
      await sendNodeResponse(res, answer);
      return;
    }
    // tus answers errors in plain text: clients get the API's usual error body instead.
    const text = (await answer.text()).trim();
    const tagged = /^([A-Z_]+): (.*)$/s.exec(text);
    const status = answer.status >= 500 ? HttpStatus.SERVICE_UNAVAILABLE : answer.status;
    if (answer.status >= 500) this.logger.error(`tus ${req.method} failed: ${text}`);
    const code =
      (tagged?.[1] as ErrorCode | undefined) ??
      CODE_BY_TUS_STATUS[status] ??
      (status >= 500 ? ErrorCode.StorageError : ErrorCode.TusProtocolError);
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'content-type') headers[name] = value;
    });
    throw new DomainException(
      status,
      code,
      status >= 500 ? 'The upload could not be stored; resume it later' : (tagged?.[2] ?? text),
      undefined,
      headers,
    );
  }

  forget(session: UploadSession): Promise<void> {
    return this.meta.delete(session.storageKey);
  }
}
