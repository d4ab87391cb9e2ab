import { createHash, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import mime from 'mime-types';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { RateLimitService } from '../common/rate-limit/rate-limit.service.js';
import { AppConfig } from '../config/app-config.js';
import {
  detectContentType,
  EXECUTABLE_TYPES,
  SNIFF_BYTES,
} from '../products/upload/content-type.js';
import { cleanFileName, fileExtension } from '../products/upload/file-name.js';
import {
  storageQuotaExceeded,
  storedBytes,
  uploadBudgetExceeded,
} from '../products/upload/quota.js';
import { safeContentType } from '../storage/storage.errors.js';
import { STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import type { User } from '../users/user.entity.js';
import type { CreateUploadDto, UploadSessionDto, UploadStatusDto } from './dto/upload.dto.js';
import { UploadSession } from './upload-session.entity.js';
import { UploadSessionStatus } from './upload-session-status.enum.js';
import { UPLOAD_STORE, type UploadStore } from './upload-store.interface.js';

/** A finished upload whose bytes were checked on the server, ready to become a product file. */
export interface VerifiedUpload {
  session: UploadSession;
  key: string;
  fileName: string;
  size: number;
  contentType: string;
  /** Hex SHA-256 when the bytes are on this server's disk; null for Supabase. */
  sha256: string | null;
}

const unsupportedType = (message: string) =>
  new DomainException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UnsupportedFileType, message);

const closed = () =>
  new DomainException(
    HttpStatus.GONE,
    ErrorCode.UploadClosed,
    'This upload has expired or was refused; start a new one',
  );

/**
 * Resumable upload sessions: the declared file is checked, its storage key chosen, and the
 * client pointed at a tus endpoint (ours or Supabase's). Finishing checks what really arrived,
 * never what the client says.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    @InjectRepository(UploadSession) private readonly sessions: Repository<UploadSession>,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    @Inject(UPLOAD_STORE) private readonly store: UploadStore,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly limits: RateLimitService,
  ) {}

  async create(creator: User, dto: CreateUploadDto): Promise<UploadSessionDto> {
    const fileName = cleanFileName(dto.fileName);
    const extension = fileExtension(fileName);
    if (!this.config.storage.allowedExtensions.includes(extension)) {
      throw unsupportedType(
        extension === ''
          ? 'The file name has no extension, so its type is unknown'
          : `Files of type .${extension} are not accepted`,
      );
    }
    const maxBytes = this.config.storage.maxUploadBytes;
    if (dto.size > maxBytes) {
      throw new DomainException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ErrorCode.FileTooLarge,
        `The file is larger than the ${maxBytes} bytes allowed`,
      );
    }
    const contentType =
      dto.contentType !== undefined
        ? safeContentType(dto.contentType)
        : mime.lookup(extension) || 'application/octet-stream';
    if (EXECUTABLE_TYPES.has(contentType)) {
      throw unsupportedType('Programs cannot be sold as files here');
    }
    await this.assertBudget(creator.id, dto.size);
    const id = randomUUID();
    const session = this.sessions.create({
      id,
      creatorId: creator.id,
      fileName,
      contentType,
      size: dto.size,
      // Chosen now and never changed: the bytes land where the product will read them.
      storageKey: `${creator.id}/uploads/${id}`,
      status: UploadSessionStatus.Pending,
      productId: null,
      expiresAt: new Date(Date.now() + this.config.uploads.sessionTtlHours * 3600 * 1000),
      completedAt: null,
      attachedAt: null,
    });
    const target = await this.store.target(session);
    await this.sessions.insert(session);
    // The declared bytes are what the creator may now send: they are spent from the hour's
    // budget here, as a multipart upload's bytes are as they arrive.
    await this.limits.spend('uploadBytes', creator.id, dto.size).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Could not count upload bytes');
    });
    return {
      id,
      tusEndpoint: target.endpoint,
      headers: target.headers,
      metadata: target.metadata,
      chunkSize: target.chunkSize,
      fileName,
      size: session.size,
      expiresAt: session.expiresAt,
    };
  }

  async status(creator: User, id: string): Promise<UploadStatusDto> {
    const session = await this.findOwn(creator, id);
    const receivedBytes = await this.receivedBytes(session);
    return {
      id: session.id,
      status: this.effectiveStatus(session),
      receivedBytes,
      size: session.size,
      fileName: session.fileName,
      expiresAt: session.expiresAt,
      productId: session.productId,
    };
  }

  /** A tus request (local driver) for a session of the caller's that is still open. */
  async tus(creator: User, id: string, req: Request, res: Response): Promise<void> {
    const session = await this.findOwn(creator, id);
    if (this.effectiveStatus(session) !== UploadSessionStatus.Pending || session.productId) {
      // Finished (or used) uploads take no more requests; HEAD still tells a resuming client.
      if (!(req.method === 'HEAD' && this.isOpen(session))) throw closed();
    }
    await this.store.handle(session, req, res);
  }

  /**
   * Checks the finished upload on the server: every declared byte stored (size from the
   * storage itself), an allowed extension, and a type read from its first bytes that is not a
   * program. A file that fails is deleted and the session refused; nothing is left behind.
   */
  async verifyFinished(creator: User, uploadId: string): Promise<VerifiedUpload> {
    const session = await this.findOwn(creator, uploadId);
    if (session.productId !== null) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.UploadAlreadyUsed,
        'This upload is already the file of a product; start a new upload',
      );
    }
    if (!this.isOpen(session)) throw closed();
    const received = await this.receivedBytes(session);
    if (received < session.size) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.UploadIncomplete,
        `The upload is not finished: ${received} of ${session.size} bytes arrived`,
      );
    }
    if (received > session.size) {
      await this.refuse(session);
      throw new DomainException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ErrorCode.FileTooLarge,
        `The upload holds ${received} bytes, more than the ${session.size} declared; it was deleted`,
      );
    }
    const extension = fileExtension(session.fileName);
    if (!this.config.storage.allowedExtensions.includes(extension)) {
      await this.refuse(session);
      throw unsupportedType(`Files of type .${extension} are not accepted`);
    }
    const head = await this.readHead(session);
    const type = await detectContentType(head, extension);
    if (type.sniffed !== undefined && EXECUTABLE_TYPES.has(type.sniffed)) {
      await this.refuse(session);
      throw unsupportedType('Programs cannot be sold as files here; the upload was deleted');
    }
    return {
      session,
      key: session.storageKey,
      fileName: session.fileName,
      size: session.size,
      contentType: type.contentType,
      sha256: this.storage.name === 'local' ? await this.hash(session) : null,
    };
  }

  /**
   * Marks the session as the file of `productId`, inside the caller's transaction; a session
   * attached meanwhile (two finishing requests at once) or expired is refused.
   */
  async attach(manager: EntityManager, session: UploadSession, productId: string): Promise<void> {
    const rows: unknown[] = await manager.query(
      `UPDATE upload_sessions
       SET product_id = $1, attached_at = now(), status = 'complete',
           completed_at = coalesce(completed_at, now()), updated_at = now()
       WHERE id = $2 AND product_id IS NULL AND status IN ('pending', 'complete')
       RETURNING id`,
      [productId, session.id],
    );
    // pg answers [rows, count] for UPDATE ... RETURNING through TypeORM's query().
    const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
    if (updated.length === 0) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.UploadAlreadyUsed,
        'This upload was used or expired meanwhile; start a new upload',
      );
    }
  }

  /** After the attaching transaction committed: the tus bookkeeping is no longer needed. */
  async afterAttach(session: UploadSession): Promise<void> {
    await this.store.forget(session).catch((error: unknown) => {
      this.logger.warn({ err: error, session: session.id }, 'Could not drop tus bookkeeping');
    });
  }

  /**
   * The creator's hourly byte budget and storage quota, before a session exists: the files kept,
   * plus the uploads still open (their declared sizes are reserved), plus this one. Finishing
   * checks the quota again where the product row is written.
   */
  private async assertBudget(creatorId: string, size: number): Promise<void> {
    const hour = await this.limits.remaining('uploadBytes', creatorId);
    if (hour.points < size) throw uploadBudgetExceeded(hour.retryAfterSeconds);
    const { quotaBytes } = this.config.uploads;
    const [{ n }] = await this.dataSource.query<{ n: string }[]>(
      `SELECT COALESCE(sum(size), 0)::text AS n FROM upload_sessions
       WHERE creator_id = $1 AND product_id IS NULL AND status IN ('pending', 'complete')
         AND expires_at > now()`,
      [creatorId],
    );
    const kept = await storedBytes(this.dataSource.manager, creatorId);
    if (kept + Number(n) + size > quotaBytes) throw storageQuotaExceeded(quotaBytes);
  }

  private async findOwn(creator: User, id: string): Promise<UploadSession> {
    // Someone else's upload answers exactly like a missing one.
    const session = await this.sessions.findOneBy({ id, creatorId: creator.id });
    if (session === null) throw notFound('Upload');
    return session;
  }

  /** Still pending or complete, not attached, not past its time. */
  private isOpen(session: UploadSession): boolean {
    return (
      (session.status === UploadSessionStatus.Pending ||
        session.status === UploadSessionStatus.Complete) &&
      session.productId === null &&
      session.expiresAt.getTime() > Date.now()
    );
  }

  private effectiveStatus(session: UploadSession): UploadSessionStatus {
    if (session.productId !== null) return UploadSessionStatus.Complete;
    if (session.status === UploadSessionStatus.Refused) return session.status;
    if (!this.isOpen(session)) return UploadSessionStatus.Expired;
    return session.status;
  }

  /**
   * What storage holds for the session. On the local driver that grows as bytes arrive; on
   * Supabase the object exists only once the upload completed. The first time every byte is
   * there, the session is marked complete.
   */
  private async receivedBytes(session: UploadSession): Promise<number> {
    if (
      session.status === UploadSessionStatus.Refused ||
      session.status === UploadSessionStatus.Expired
    ) {
      return 0;
    }
    const received = (await this.storage.stat(session.storageKey))?.size ?? 0;
    if (session.status === UploadSessionStatus.Pending && received === session.size) {
      session.status = UploadSessionStatus.Complete;
      session.completedAt = new Date();
      await this.sessions.update(
        { id: session.id, status: UploadSessionStatus.Pending },
        { status: UploadSessionStatus.Complete, completedAt: session.completedAt },
      );
    }
    return received;
  }

  private async readHead(session: UploadSession): Promise<Buffer> {
    const stream = await this.storage.read(session.storageKey, {
      start: 0,
      end: Math.min(SNIFF_BYTES, session.size) - 1,
    });
    if (stream === null) throw closed();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
  }

  private async hash(session: UploadSession): Promise<string> {
    const stream = await this.storage.read(session.storageKey);
    if (stream === null) throw closed();
    const hash = createHash('sha256');
    await pipeline(stream, hash);
    return hash.digest('hex');
  }

  /** Deletes a failed upload's bytes and records the refusal. */
  private async refuse(session: UploadSession): Promise<void> {
    await this.storage.delete(session.storageKey);
    await this.store.forget(session);
    await this.sessions.update({ id: session.id }, { status: UploadSessionStatus.Refused });
  }
}
