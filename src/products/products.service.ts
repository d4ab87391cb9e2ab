import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { type Page, type PageQueryDto, toPage } from '../common/pagination.js';
import { createValidationPipe } from '../common/pipes/validation.js';
import { RateLimitService } from '../common/rate-limit/rate-limit.service.js';
import { AppConfig } from '../config/app-config.js';
import { STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import { UploadsService, type VerifiedUpload } from '../uploads/uploads.service.js';
import type { User } from '../users/user.entity.js';
import { CatalogueService } from './catalogue.service.js';
import {
  CREATE_PRODUCT_FIELDS,
  CreateProductDto,
  type CreateProductField,
} from './dto/create-product.dto.js';
import type { ProductDto } from './dto/product.dto.js';
import { priceBelowMinimum } from './dto/product-fields.js';
import type { UpdateProductDto } from './dto/update-product.dto.js';
import {
  type CreateProductFromUploadDto,
  type ProductVersionListDto,
  ReplaceFileFromUploadDto,
} from './dto/upload-file.dto.js';
import { NewVersionNotifier } from './new-version-notifier.js';
import { Product } from './product.entity.js';
import { ProductVersion } from './product-version.entity.js';
import {
  cursorOf,
  invalidCursor,
  isBadCursorValue,
  PRODUCT_COLUMNS,
  type ProductRow,
  readCursor,
  rowToProductDto,
  toProductDto,
} from './product-rows.js';
import { ProductStatus } from './product-status.enum.js';
import { storageQuotaExceeded, storedBytes, uploadBudgetExceeded } from './upload/quota.js';
import {
  deleteQuietly,
  type FileOptions,
  receiveUpload,
  type StoredFile,
  storeStream,
} from './upload/multipart-upload.js';

const DEFAULT_CURRENCY = 'usd';

const fieldErrors = (errors: ValidationError[]) =>
  errors.map((e) => ({ field: e.property, errors: Object.values(e.constraints ?? {}) }));

/** A creator's own products: upload, list, edit, archive, replace the file. */
@Injectable()
export class ProductsService {
  private readonly logger = new Logger(ProductsService.name);
  private readonly validation = createValidationPipe();

  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly dataSource: DataSource,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly config: AppConfig,
    private readonly catalogue: CatalogueService,
    private readonly limits: RateLimitService,
    private readonly uploads: UploadsService,
    private readonly notifier: NewVersionNotifier,
  ) {}

  /**
   * Streams the upload to storage under a key made here, then writes the row. A bad field,
   * a failed insert or a client that went away leaves no object behind.
   */
  async upload(creator: User, req: Request): Promise<ProductDto> {
    const id = randomUUID();
    const { fields, file } = await receiveUpload(req, {
      ...(await this.uploadOptions(creator.id, id)),
      fieldNames: CREATE_PRODUCT_FIELDS,
      checkEarlyFields: (sent) => this.checkSentFields(sent),
    });
    return this.insertProduct(creator, id, fields, file);
  }

  /**
   * What an upload does, from a stream instead of a multipart request (the demo seed uses it):
   * the same field rules, file checks and storage, and the same clean-up on failure.
   */
  async create(
    creator: User,
    fields: Partial<Record<CreateProductField, string>>,
    file: { name: string; body: Readable },
  ): Promise<ProductDto> {
    const id = randomUUID();
    const sent = Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined),
    ) as Record<string, string>;
    try {
      this.checkSentFields(sent);
    } catch (error) {
      file.body.destroy();
      throw error;
    }
    let options: FileOptions;
    try {
      options = await this.uploadOptions(creator.id, id);
    } catch (error) {
      file.body.destroy();
      throw error;
    }
    const stored = await storeStream(file.body, file.name, options);
    return this.insertProduct(creator, id, sent, stored);
  }

  /** Validates the fields and writes the row for a stored file; a refusal deletes the file. */
  private insertProduct(
    creator: User,
    id: string,
    fields: Record<string, string>,
    file: StoredFile,
  ): Promise<ProductDto> {
    return this.keepOrDelete(file, async () => {
      const dto = await this.validateFields(fields);
      const product = this.products.create({
        id,
        creatorId: creator.id,
        title: dto.title,
        description: dto.description ?? '',
        priceCents: dto.priceCents,
        currency: dto.currency ?? this.defaultCurrency(),
        status: ProductStatus.Published,
        fileVersion: 1,
        ...this.fileColumns(file),
      });
      await this.dataSource.transaction(async (m) => {
        await this.assertWithinQuota(m, creator.id, file.size);
        await m.insert(Product, product);
        await this.insertVersion(m, product, null);
      });
      this.catalogue.invalidate();
      return toProductDto(product);
    });
  }

  /**
   * A product from a finished resumable upload: the listing is validated, then the bytes are
   * checked where they are stored (size, type by magic number, extension), and only then are
   * the product, its first version and the upload's use written, in one transaction.
   */
  async createFromUpload(creator: User, dto: CreateProductFromUploadDto): Promise<ProductDto> {
    const currency = dto.currency ?? this.defaultCurrency();
    this.assertCurrency(currency);
    this.assertPriceFor(dto.priceCents, currency);
    const file = await this.uploads.verifyFinished(creator, dto.uploadId);
    const product = this.products.create({
      id: randomUUID(),
      creatorId: creator.id,
      title: dto.title,
      description: dto.description ?? '',
      priceCents: dto.priceCents,
      currency,
      status: ProductStatus.Published,
      fileVersion: 1,
      ...this.uploadColumns(file),
    });
    await this.dataSource.transaction(async (manager) => {
      await this.assertWithinQuota(manager, creator.id, file.size);
      await manager.insert(Product, product);
      await this.insertVersion(manager, product, null);
      await this.uploads.attach(manager, file.session, product.id);
    });
    await this.uploads.afterAttach(file.session);
    this.catalogue.invalidate();
    return toProductDto(product);
  }

  /** Every file the product has had, newest first. */
  async versions(creator: User, id: string): Promise<ProductVersionListDto> {
    await this.findOwn(creator, id);
    const versions = await this.dataSource.getRepository(ProductVersion).find({
      where: { productId: id },
      order: { version: 'DESC' },
    });
    return {
      items: versions.map((v) => ({
        version: v.version,
        fileName: v.fileName,
        size: v.fileSize,
        contentType: v.contentType,
        sha256: v.sha256,
        note: v.note,
        createdAt: v.createdAt,
      })),
    };
  }

  async list(creator: User, query: PageQueryDto): Promise<Page<ProductDto>> {
    const params: unknown[] = [creator.id];
    let after = '';
    if (query.cursor !== undefined) {
      const { key, id } = readCursor(query.cursor, 'newest');
      params.push(key, id);
      after = 'AND (p.created_at, p.id) < ($2::timestamptz, $3::uuid)';
    }
    params.push(query.limit + 1);
    let rows: ProductRow[];
    try {
      rows = await this.dataSource.query<ProductRow[]>(
        `SELECT ${PRODUCT_COLUMNS} FROM products p
         WHERE p.creator_id = $1 ${after}
         ORDER BY p.created_at DESC, p.id DESC
         LIMIT $${params.length}`,
        params,
      );
    } catch (error) {
      if (isBadCursorValue(error)) throw invalidCursor();
      throw error;
    }
    return toPage(rows, query.limit, rowToProductDto, (row) => cursorOf('newest', row));
  }

  async get(creator: User, id: string): Promise<ProductDto> {
    return toProductDto(await this.findOwn(creator, id));
  }

  /** Edits the listing. Setting published/unpublished on an archived product brings it back. */
  async update(creator: User, id: string, dto: UpdateProductDto): Promise<ProductDto> {
    const product = await this.findOwn(creator, id);
    if (dto.currency !== undefined) this.assertCurrency(dto.currency);
    if (dto.priceCents !== undefined || dto.currency !== undefined) {
      this.assertPriceFor(dto.priceCents ?? product.priceCents, dto.currency ?? product.currency);
    }
    const changes: Partial<Product> = {
      title: dto.title,
      description: dto.description,
      priceCents: dto.priceCents,
      currency: dto.currency,
      status: dto.status,
    };
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    ) as Partial<Product>;
    if (Object.keys(defined).length === 0) return toProductDto(product);
    Object.assign(product, defined);
    await this.products.save(product);
    this.catalogue.invalidate();
    return toProductDto(product);
  }

  /** Takes the product off the catalogue and off sale; those who bought it keep it. */
  async archive(creator: User, id: string): Promise<void> {
    const product = await this.findOwn(creator, id);
    if (product.status === ProductStatus.Archived) return;
    product.status = ProductStatus.Archived;
    await this.products.save(product);
    this.catalogue.invalidate();
  }

  /**
   * A new version of the file: multipart as before, or JSON `{uploadId, note?, notifyBuyers?}`
   * naming a finished resumable upload. The old object stays (older versions are kept).
   */
  async replaceFile(creator: User, id: string, req: Request): Promise<ProductDto> {
    if (/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      const dto = (await this.validation.transform(req.body, {
        type: 'body',
        metatype: ReplaceFileFromUploadDto,
      })) as ReplaceFileFromUploadDto;
      return this.replaceFromUpload(creator, id, dto);
    }
    const existing = await this.findOwn(creator, id);
    const { file } = await receiveUpload(req, {
      // The quota counts the current file only, so the one replaced makes room.
      ...(await this.uploadOptions(creator.id, id, Number(existing.fileSize))),
      fieldNames: [],
    });
    const product = await this.keepOrDelete(file, () =>
      this.newVersion(creator, id, this.fileColumns(file), { note: null }),
    );
    this.catalogue.invalidate();
    return toProductDto(product);
  }

  async replaceFromUpload(
    creator: User,
    id: string,
    dto: ReplaceFileFromUploadDto,
  ): Promise<ProductDto> {
    await this.findOwn(creator, id);
    const file = await this.uploads.verifyFinished(creator, dto.uploadId);
    const product = await this.newVersion(creator, id, this.uploadColumns(file), {
      note: dto.note ?? null,
      notifyBuyers: dto.notifyBuyers === true,
      attach: (manager) => this.uploads.attach(manager, file.session, id),
    });
    await this.uploads.afterAttach(file.session);
    this.catalogue.invalidate();
    return toProductDto(product);
  }

  /**
   * Points the row at a new file (version + 1) and records the version, in one transaction
   * holding the product's row lock, so two replacements never get the same number.
   */
  private newVersion(
    creator: User,
    id: string,
    columns: Pick<Product, 'fileKey' | 'fileName' | 'fileSize' | 'contentType' | 'sha256'>,
    options: {
      note: string | null;
      notifyBuyers?: boolean;
      attach?: (manager: EntityManager) => Promise<void>;
    },
  ): Promise<Product> {
    return this.dataSource.transaction(async (manager) => {
      await this.lockCreator(manager, creator.id);
      const repository = manager.getRepository(Product);
      const current = await repository.findOne({
        where: { id, creatorId: creator.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (current === null) throw notFound('Product');
      // The quota counts each product's current file: a new version counts as the difference.
      await this.assertWithinQuota(manager, creator.id, columns.fileSize - current.fileSize);
      Object.assign(current, columns, { fileVersion: current.fileVersion + 1 });
      const saved = await repository.save(current);
      await this.insertVersion(manager, saved, options.note);
      await options.attach?.(manager);
      if (options.notifyBuyers) {
        await this.notifier.newVersion(manager, {
          productId: saved.id,
          title: saved.title,
          version: saved.fileVersion,
          note: options.note,
        });
      }
      return saved;
    });
  }

  private async insertVersion(
    manager: EntityManager,
    product: Product,
    note: string | null,
  ): Promise<void> {
    await manager.insert(ProductVersion, {
      productId: product.id,
      version: product.fileVersion,
      fileKey: product.fileKey,
      fileName: product.fileName,
      fileSize: product.fileSize,
      contentType: product.contentType,
      sha256: product.sha256,
      note,
    });
  }

  private async findOwn(creator: User, id: string): Promise<Product> {
    // Someone else's product answers exactly like a missing one.
    const product = await this.products.findOneBy({ id, creatorId: creator.id });
    if (product === null) throw notFound('Product');
    return product;
  }

  /**
   * Where an upload goes and how much of it may come: the smallest of MAX_UPLOAD_BYTES, what is
   * left of the creator's storage quota and what is left of their hourly upload budget, each
   * refused with its own code when the file passes it. Checked before any byte is read; the
   * bytes that do arrive are spent from the hourly budget, whether the file is kept or not.
   * `replacedBytes`: the size of a file this upload replaces.
   */
  private async uploadOptions(
    creatorId: string,
    productId: string,
    replacedBytes = 0,
  ): Promise<FileOptions> {
    const { quotaBytes } = this.config.uploads;
    const quotaLeft =
      quotaBytes - (await storedBytes(this.dataSource.manager, creatorId)) + replacedBytes;
    const hour = await this.limits.remaining('uploadBytes', creatorId);
    if (hour.points <= 0) throw uploadBudgetExceeded(hour.retryAfterSeconds);
    if (quotaLeft <= 0) throw storageQuotaExceeded(quotaBytes);
    const maxBytes = Math.min(this.config.storage.maxUploadBytes, quotaLeft, hour.points);
    return {
      storage: this.storage,
      key: `${creatorId}/${productId}/${randomUUID()}`,
      maxBytes,
      tooLarge:
        maxBytes === this.config.storage.maxUploadBytes
          ? undefined
          : maxBytes === quotaLeft
            ? () => storageQuotaExceeded(quotaBytes)
            : () => uploadBudgetExceeded(hour.retryAfterSeconds),
      onReceived: (bytes) => {
        this.limits.spend('uploadBytes', creatorId, bytes).catch((error: unknown) => {
          this.logger.warn({ err: error }, 'Could not count upload bytes');
        });
      },
      allowedExtensions: this.config.storage.allowedExtensions,
    };
  }

  private uploadColumns(file: VerifiedUpload) {
    return {
      fileKey: file.key,
      fileName: file.fileName,
      fileSize: file.size,
      contentType: file.contentType,
      sha256: file.sha256,
    };
  }

  /** Serialises a creator's file writes, so concurrent uploads cannot overrun the quota. */
  private async lockCreator(m: EntityManager, creatorId: string): Promise<void> {
    await m.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [creatorId]);
  }

  /** The quota, checked again where the row is written (uploads may have run side by side). */
  private async assertWithinQuota(
    m: EntityManager,
    creatorId: string,
    addedBytes: number,
  ): Promise<void> {
    await this.lockCreator(m, creatorId);
    const { quotaBytes } = this.config.uploads;
    if ((await storedBytes(m, creatorId)) + addedBytes > quotaBytes) {
      throw storageQuotaExceeded(quotaBytes);
    }
  }

  private fileColumns(file: StoredFile) {
    return {
      fileKey: file.key,
      fileName: file.fileName,
      fileSize: file.size,
      contentType: file.contentType,
      sha256: file.sha256,
    };
  }

  /** Runs `write` for a stored file; if it throws, the object goes too, so none is orphaned. */
  private async keepOrDelete<T>(file: StoredFile, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      await deleteQuietly(this.storage, file.key);
      if (!(error instanceof DomainException)) {
        this.logger.error({ err: error, key: file.key }, 'Saving a product failed; file removed');
      }
      throw error;
    }
  }

  private async validateFields(fields: Record<string, string>): Promise<CreateProductDto> {
    const dto = (await this.validation.transform(fields, {
      type: 'body',
      metatype: CreateProductDto,
    })) as CreateProductDto;
    if (dto.currency !== undefined) this.assertCurrency(dto.currency);
    this.assertPriceFor(dto.priceCents, dto.currency ?? this.defaultCurrency());
    return dto;
  }

  /** Refuses fields sent before the file that are already wrong, before any byte is stored. */
  private checkSentFields(sent: Record<string, string>): void {
    const dto = plainToInstance(CreateProductDto, sent);
    const errors = validateSync(dto).filter((e) => e.property in sent);
    if (errors.length > 0) {
      const fields = fieldErrors(errors);
      throw new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        `Request validation failed: ${fields.flatMap((f) => f.errors).join('; ')}`,
        { fields },
      );
    }
    if (typeof dto.currency === 'string') {
      this.assertCurrency(dto.currency);
      // Without the currency yet (it may follow the file), the full check comes after the file.
      if (typeof dto.priceCents === 'number') this.assertPriceFor(dto.priceCents, dto.currency);
    }
  }

  /** A paid price under its currency's minimum could never be paid: 400 on priceCents. */
  private assertPriceFor(priceCents: number, currency: string): void {
    const message = priceBelowMinimum(priceCents, currency);
    if (message === undefined) return;
    throw new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.ValidationFailed, message, {
      fields: [{ field: 'priceCents', errors: [message] }],
    });
  }

  private assertCurrency(currency: string): void {
    if (!this.config.allowedCurrencies.includes(currency)) {
      const message = `currency must be one of ${this.config.allowedCurrencies.join(', ')}`;
      throw new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.CurrencyNotAllowed, message, {
        fields: [{ field: 'currency', errors: [message] }],
      });
    }
  }

  private defaultCurrency(): string {
    return this.config.allowedCurrencies.includes(DEFAULT_CURRENCY)
      ? DEFAULT_CURRENCY
      : this.config.allowedCurrencies[0];
  }
}
