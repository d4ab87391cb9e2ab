import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { AppConfig } from '../config/app-config.js';
import { ProductStatus } from '../products/product-status.enum.js';
import { grantsAccess } from '../purchases/purchase-access.js';
import { PurchaseStatus } from '../purchases/purchase-status.enum.js';
import { type SignedUrl, STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import type { DownloadLinkDto } from './dto/download-link.dto.js';
import { preparedQuery } from '../database/prepared.js';

export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

interface AccessRow {
  id: string;
  creator_id: string;
  status: ProductStatus;
  file_key: string;
  file_name: string;
  file_size: string;
  content_type: string;
  file_version: number;
  purchase_id: string | null;
  purchase_status: PurchaseStatus | null;
}

@Injectable()
export class DownloadsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly config: AppConfig,
  ) {}

  /**
   * Checks, on every call, that the caller may have the file now, logs the issue, and returns
   * a link that dies after DOWNLOAD_URL_TTL_SECONDS. Nothing is cached between calls, so a
   * refund or a dispute takes effect on the very next request.
   *
   * The check and the log row are one statement, one round trip: the row is written only when
   * the product's owner asks, or a buyer whose most telling purchase grants access (the same
   * rules as below, which then say why a refused call was refused). A link is never issued
   * without its row: if the two ever disagreed, the call fails instead.
   */
  async issueLink(user: User, productId: string, origin: RequestOrigin): Promise<DownloadLinkDto> {
    const isCreator = user.role === Role.Creator;
    const { rows } = await preparedQuery<AccessRow & { download_id: string | null }>(
      this.dataSource.manager,
      'download-link',
      `WITH access AS (
         -- The product with the caller's most telling purchase of it: one that grants access first.
         SELECT pr.id, pr.creator_id, pr.status, pr.file_key, pr.file_name, pr.file_size,
                pr.content_type, pr.file_version, pu.id AS purchase_id, pu.status AS purchase_status
         FROM products pr
         LEFT JOIN LATERAL (
           SELECT id, status FROM purchases
           WHERE buyer_id = $2 AND product_id = pr.id
           ORDER BY CASE status WHEN 'paid' THEN 0 WHEN 'disputed' THEN 1 WHEN 'refunded' THEN 2 ELSE 3 END,
                    created_at DESC
           LIMIT 1
         ) pu ON true
         WHERE pr.id = $1
       ), logged AS (
         INSERT INTO downloads (user_id, product_id, purchase_id, file_version, ip, user_agent)
         SELECT $2, a.id, CASE WHEN $3 THEN NULL ELSE a.purchase_id END, a.file_version, $4, $5
         FROM access a
         WHERE CASE WHEN $3 THEN a.creator_id = $2 ELSE a.purchase_status = $6 END
         RETURNING id
       )
       SELECT a.*, (SELECT id FROM logged) AS download_id FROM access a`,
      [
        productId,
        user.id,
        isCreator,
        origin.ip?.slice(0, 64) ?? null,
        origin.userAgent?.slice(0, 512) ?? null,
        PurchaseStatus.Paid,
      ],
    );
    const row = rows[0];
    if (row === undefined) throw notFound('Product');

    if (isCreator) {
      // Another creator's product answers exactly like a missing one: ids cannot be probed.
      if (row.creator_id !== user.id) throw notFound('Product');
    } else {
      const status = row.purchase_status;
      if (status === null && row.status !== ProductStatus.Published) throw notFound('Product');
      if (status === null || !grantsAccess({ status })) {
        throw status === PurchaseStatus.Refunded || status === PurchaseStatus.Disputed
          ? new DomainException(
              HttpStatus.FORBIDDEN,
              ErrorCode.AccessRevoked,
              'Access to this product was revoked (refunded or disputed)',
            )
          : new DomainException(
              HttpStatus.FORBIDDEN,
              ErrorCode.NotPurchased,
              'Buy this product to download it',
            );
      }
    }
    if (row.download_id === null) {
      throw new Error('Download access granted but not logged: the link was not issued');
    }

    const ttl = this.config.downloads.ttlSeconds;
    let link: SignedUrl;
    try {
      link = await this.storage.signedDownloadUrl({
        key: row.file_key,
        filename: row.file_name,
        contentType: row.content_type,
        expiresInSeconds: ttl,
      });
    } catch (error) {
      // The storage could not sign (a remote driver's outage): no link, so no row either.
      await this.dataSource
        .query('DELETE FROM downloads WHERE id = $1', [row.download_id])
        .catch(() => undefined);
      throw error;
    }
    return {
      url: link.url,
      expiresAt: link.expiresAt,
      expiresIn: ttl,
      filename: row.file_name,
      size: Number(row.file_size),
      contentType: row.content_type,
      version: row.file_version,
    };
  }
}
