import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { AppConfig } from '../config/app-config.js';
import { ProductStatus } from '../products/product-status.enum.js';
import { grantsAccess } from '../purchases/purchase-access.js';
import { PurchaseStatus } from '../purchases/purchase-status.enum.js';
import { STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import type { DownloadLinkDto } from './dto/download-link.dto.js';

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
   */
  async issueLink(user: User, productId: string, origin: RequestOrigin): Promise<DownloadLinkDto> {
    // The product with the caller's most telling purchase of it: one that grants access first.
    const rows: AccessRow[] = await this.dataSource.query(
      `SELECT pr.id, pr.creator_id, pr.status, pr.file_key, pr.file_name, pr.file_size,
              pr.content_type, pr.file_version, pu.id AS purchase_id, pu.status AS purchase_status
       FROM products pr
       LEFT JOIN LATERAL (
         SELECT id, status FROM purchases
         WHERE buyer_id = $2 AND product_id = pr.id
         ORDER BY CASE status WHEN 'paid' THEN 0 WHEN 'disputed' THEN 1 WHEN 'refunded' THEN 2 ELSE 3 END,
                  created_at DESC
         LIMIT 1
       ) pu ON true
       WHERE pr.id = $1`,
      [productId, user.id],
    );
    const row = rows[0];
    if (row === undefined) throw notFound('Product');

    let purchaseId: string | null = null;
    if (user.role === Role.Creator) {
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
      purchaseId = row.purchase_id;
    }

    const ttl = this.config.downloads.ttlSeconds;
    const link = await this.storage.signedDownloadUrl({
      key: row.file_key,
      filename: row.file_name,
      contentType: row.content_type,
      expiresInSeconds: ttl,
    });
    await this.dataSource.query(
      `INSERT INTO downloads (user_id, product_id, purchase_id, file_version, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        user.id,
        row.id,
        purchaseId,
        row.file_version,
        origin.ip?.slice(0, 64) ?? null,
        origin.userAgent?.slice(0, 512) ?? null,
      ],
    );
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
