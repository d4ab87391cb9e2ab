import { HttpStatus } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainException } from '../../common/domain.exception.js';
import { ErrorCode } from '../../common/error-codes.js';

export const storageQuotaExceeded = (quotaBytes: number) =>
  new DomainException(
    HttpStatus.PAYLOAD_TOO_LARGE,
    ErrorCode.StorageQuotaExceeded,
    `This upload would take your files past the ${quotaBytes} bytes of storage allowed (STORAGE_QUOTA_BYTES); delete or replace files first`,
  );

export const uploadBudgetExceeded = (retryAfterSeconds: number) =>
  new DomainException(
    HttpStatus.TOO_MANY_REQUESTS,
    ErrorCode.UploadBudgetExceeded,
    `You have uploaded as much as allowed this hour (UPLOAD_BYTES_PER_HOUR); try again in ${retryAfterSeconds} s`,
    undefined,
    { 'Retry-After': String(retryAfterSeconds) },
  );

/**
 * The size of every product file a creator has (archived products' too). Older versions kept
 * beside them are not counted: a replacement counts as its new size only.
 */
export async function storedBytes(m: EntityManager, creatorId: string): Promise<number> {
  const rows: { n: string }[] = await m.query(
    'SELECT COALESCE(sum(file_size), 0)::text AS n FROM products WHERE creator_id = $1',
    [creatorId],
  );
  return Number(rows[0].n);
}
