import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { allowedRedirect } from '../common/redirect-url.js';
import {
  cursorTimeSql,
  decodeCursor,
  isCursorTime,
  type Page,
  PageQueryDto,
  toPage,
} from '../common/pagination.js';
import { AppConfig } from '../config/app-config.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { PAYMENTS, type PaymentsDriver } from '../payments/payments.interface.js';
import { PayoutsService, type SaleTransfer } from '../payouts/payouts.service.js';
import { ProductStatus } from '../products/product-status.enum.js';
import { Product } from '../products/product.entity.js';
import type { User } from '../users/user.entity.js';
import { CheckoutDto, LibraryItemDto, PurchaseDto, StartCheckoutDto } from './dto/purchase.dto.js';
import { FulfilmentService } from './fulfilment.service.js';
import { grantsAccess } from './purchase-access.js';
import { LIVE_STATUSES, PurchaseStatus } from './purchase-status.enum.js';
import { Purchase } from './purchase.entity.js';
import { isUuid } from '../common/uuid.js';

export interface CheckoutReceipt {
  productTitle: string;
  amountCents: number;
  currency: string;
  /** Where the payment stands: the purchase's status. */
  status: PurchaseStatus;
}

/** A pending checkout this close to its expiry is not handed out again. */
const REUSE_MARGIN_MS = 60_000;
/**
 * A buyer polling a pending purchase asks the provider at most this often: enough for a
 * success page to see "paid" quickly, without letting anyone spend the shared Stripe rate limit.
 */
export const PROVIDER_RECHECK_SECONDS = 5;

interface LibraryRow {
  purchase_id: string;
  status: PurchaseStatus;
  amount_cents: number;
  currency: string;
  refunded_cents: number;
  paid_at: Date;
  /** paid_at with its microseconds, as the cursor carries it (a Date keeps milliseconds only). */
  paid_key: string;
  product_id: string;
  title: string;
  product_status: string;
  file_name: string;
  file_size: string;
  content_type: string;
  file_version: number;
  creator_id: string;
  display_name: string;
  /** The newest version this buyer was given a link to, or null when never downloaded. */
  downloaded_version: number | null;
}

@Injectable()
export class PurchasesService {
  private readonly logger = new Logger(PurchasesService.name);

  constructor(
    @InjectRepository(Purchase) private readonly purchases: Repository<Purchase>,
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly fulfilment: FulfilmentService,
    private readonly payouts: PayoutsService,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * What the success page says about a checkout session: the product and the amount, as the
   * checkout page itself shows them to whoever holds the session's link. Null for a session that
   * is not a purchase's.
   */
  async receipt(sessionId: string): Promise<CheckoutReceipt | null> {
    if (sessionId === '' || sessionId.length > 255) return null;
    const purchase = await this.purchases.findOne({
      where: { providerSessionId: sessionId },
      relations: { product: true },
    });
    if (purchase === null) return null;
    return {
      productTitle: purchase.product!.title,
      amountCents: purchase.amountCents,
      currency: purchase.currency,
      status: purchase.status,
    };
  }

  /**
   * Starts (or resumes) the buyer's checkout for a published product. The amount and currency
   * are copied from the product now; the client sends neither.
   */
  async startCheckout(buyer: User, productId: string, dto: StartCheckoutDto): Promise<CheckoutDto> {
    const product = await this.products.findOneBy({
      id: productId,
      status: ProductStatus.Published,
    });
    if (product === null) throw notFound('Product');
    const successUrl =
      allowedRedirect(this.config, dto.successUrl, 'successUrl') ?? this.defaultSuccessUrl();
    const cancelUrl =
      allowedRedirect(this.config, dto.cancelUrl, 'cancelUrl') ??
      `${this.config.publicUrl}/checkout/cancel`;

    let purchase = await this.livePurchase(buyer.id, product.id);
    if (purchase !== null && purchase.status !== PurchaseStatus.Pending) throw this.alreadyOwned();
    // In connect mode a creator who cannot take charges (not onboarded, or restricted) sells
    // nothing new, even through a checkout opened before.
    const transfer = await this.payouts.transferFor(product.creatorId, product.priceCents);
    if (purchase !== null && this.checkoutLapsed(purchase)) {
      purchase = await this.retireCheckout(purchase);
    }
    purchase ??= await this.createPurchase(buyer, product, transfer);
    if (purchase.status !== PurchaseStatus.Pending || purchase.providerSessionId !== null) {
      return this.toCheckoutDto(purchase);
    }

    // The idempotency key (the purchase id) makes a retry after a failure return the same session.
    const session = await this.payments.createCheckout({
      purchaseId: purchase.id,
      productId: product.id,
      productTitle: product.title,
      amountCents: purchase.amountCents,
      currency: purchase.currency,
      buyerEmail: buyer.email,
      successUrl,
      cancelUrl,
      // From the purchase's own snapshot, like the amount.
      ...(purchase.transferDestination !== null && {
        transfer: { destination: purchase.transferDestination, feeCents: purchase.feeCents },
      }),
    });
    const stored = await this.purchases
      .createQueryBuilder()
      .update()
      .set({
        providerSessionId: session.sessionId,
        checkoutUrl: session.url,
        checkoutExpiresAt: session.expiresAt,
      })
      .where('id = :id AND provider_session_id IS NULL', { id: purchase.id })
      .execute();
    if (stored.affected === 0) {
      // A concurrent request stored its session first: everyone gets that one (the spare
      // session is never shown again and expires unused).
      const current = await this.purchases.findOneByOrFail({ id: purchase.id });
      return this.toCheckoutDto(current);
    }
    return this.toCheckoutDto({
      ...purchase,
      providerSessionId: session.sessionId,
      checkoutUrl: session.url,
    });
  }

  /** The buyer's own purchase; a pending one is first re-checked with the provider. */
  async getForBuyer(buyer: User, purchaseId: string): Promise<PurchaseDto> {
    let purchase = await this.findOwn(buyer, purchaseId);
    if (
      purchase.status === PurchaseStatus.Pending &&
      purchase.providerSessionId !== null &&
      (await this.claimProviderCheck(purchase.id))
    ) {
      try {
        await this.fulfilment.syncCheckout(
          await this.payments.getCheckout(purchase.providerSessionId),
        );
        purchase = await this.findOwn(buyer, purchaseId);
      } catch (error) {
        // The stored state is still true; the webhook will catch up.
        this.logger.warn(
          `Could not re-check checkout ${purchase.providerSessionId}: ${String(error)}`,
        );
      }
    }
    return this.toPurchaseDto(purchase);
  }

  /**
   * Whether this read may ask the provider now: true for at most one read per purchase every
   * PROVIDER_RECHECK_SECONDS, whichever instance serves it (the claim is one conditional UPDATE).
   */
  private async claimProviderCheck(purchaseId: string): Promise<boolean> {
    const claimed = await this.purchases
      .createQueryBuilder()
      .update()
      .set({ providerCheckedAt: () => 'now()' })
      .where('id = :purchaseId AND status = :pending', {
        purchaseId,
        pending: PurchaseStatus.Pending,
      })
      .andWhere(
        '(provider_checked_at IS NULL OR provider_checked_at <= now() - make_interval(secs => :seconds))',
        { seconds: PROVIDER_RECHECK_SECONDS },
      )
      .execute();
    return claimed.affected === 1;
  }

  /** Everything the buyer has paid for, newest first, archived products included. */
  async library(buyer: User, query: PageQueryDto): Promise<Page<LibraryItemDto>> {
    const params: unknown[] = [buyer.id, query.limit + 1];
    let after = '';
    if (query.cursor !== undefined) {
      const [paidAt, id] = decodeCursor(
        query.cursor,
        (v) => v.length === 2 && isCursorTime(v[0]) && typeof v[1] === 'string' && isUuid(v[1]),
      ) as [string, string];
      params.push(paidAt, id);
      after = 'AND (p.paid_at, p.id) < ($3::timestamptz, $4::uuid)';
    }
    const rows: LibraryRow[] = await this.dataSource.query(
      `SELECT p.id AS purchase_id, p.status, p.amount_cents, p.currency, p.refunded_cents, p.paid_at,
              ${cursorTimeSql('p.paid_at')} AS paid_key,
              pr.id AS product_id, pr.title, pr.status AS product_status, pr.file_name, pr.file_size,
              pr.content_type, pr.file_version, u.id AS creator_id, u.display_name,
              d.downloaded_version
       FROM purchases p
       JOIN products pr ON pr.id = p.product_id
       JOIN users u ON u.id = pr.creator_id
       LEFT JOIN LATERAL (
         SELECT max(file_version) AS downloaded_version FROM downloads
         WHERE user_id = p.buyer_id AND product_id = p.product_id
       ) d ON true
       WHERE p.buyer_id = $1 AND p.paid_at IS NOT NULL ${after}
       ORDER BY p.paid_at DESC, p.id DESC
       LIMIT $2`,
      params,
    );
    return toPage(
      rows,
      query.limit,
      (r) => ({
        purchaseId: r.purchase_id,
        status: r.status,
        hasAccess: grantsAccess(r),
        version: r.file_version,
        // Only a buyer who downloaded an older version has an update waiting; a first
        // download is simply the latest.
        updateAvailable: r.downloaded_version !== null && r.downloaded_version < r.file_version,
        amountCents: r.amount_cents,
        currency: r.currency,
        refundedCents: r.refunded_cents,
        paidAt: r.paid_at,
        product: {
          id: r.product_id,
          title: r.title,
          status: r.product_status,
          creator: { id: r.creator_id, displayName: r.display_name },
          fileName: r.file_name,
          size: Number(r.file_size),
          contentType: r.content_type,
          version: r.file_version,
        },
      }),
      (r) => [r.paid_key, r.purchase_id],
    );
  }

  private async createPurchase(
    buyer: User,
    product: Product,
    transfer: SaleTransfer | null,
  ): Promise<Purchase> {
    const values = {
      buyerId: buyer.id,
      productId: product.id,
      currency: product.currency,
      feeCents: transfer?.feeCents ?? 0,
      transferDestination: transfer?.destination ?? null,
    };
    try {
      // A free product needs no payment provider: it is paid at once, through fulfilment, so
      // that it is announced (receipt, new-sale notice) like any other payment.
      if (product.priceCents === 0) return await this.fulfilment.claimFree(values);
      return await this.purchases.save(
        this.purchases.create({
          ...values,
          amountCents: product.priceCents,
          status: PurchaseStatus.Pending,
          provider: this.payments.name,
          paidAt: null,
        }),
      );
    } catch (error) {
      if (!isUniqueViolation(error, 'UQ_purchases_live')) throw error;
      // Another request of the same buyer got there first: continue with its purchase.
      const existing = await this.livePurchase(buyer.id, product.id);
      if (existing === null || existing.status !== PurchaseStatus.Pending)
        throw this.alreadyOwned();
      return existing;
    }
  }

  private livePurchase(buyerId: string, productId: string): Promise<Purchase | null> {
    return this.purchases
      .createQueryBuilder('p')
      .where('p.buyer_id = :buyerId AND p.product_id = :productId', { buyerId, productId })
      .andWhere('p.status IN (:...live)', { live: LIVE_STATUSES })
      .getOne();
  }

  /**
   * Gives up on a pending purchase whose checkout is about to lapse, so that a new one can be
   * started. Its session is expired at the provider first: otherwise the buyer could pay it
   * and the new one, twice for one product. Null once retired; the purchase as it now stands
   * when the provider says it was paid meanwhile (409 then) or is settling.
   */
  private async retireCheckout(purchase: Purchase): Promise<Purchase | null> {
    if (purchase.providerSessionId !== null) {
      const state = await this.payments.expireCheckout(purchase.providerSessionId);
      await this.fulfilment.syncCheckout(state);
      if (state.status === 'complete') {
        const current = await this.purchases.findOneByOrFail({ id: purchase.id });
        if (current.status === PurchaseStatus.Pending) {
          // Completed and waiting for an asynchronous payment: nothing new to start.
          return current;
        }
        if (LIVE_STATUSES.includes(current.status)) throw this.alreadyOwned();
        return null;
      }
    }
    await this.purchases.update(
      { id: purchase.id, status: PurchaseStatus.Pending },
      { status: PurchaseStatus.Expired },
    );
    return null;
  }

  private checkoutLapsed(purchase: Purchase): boolean {
    return (
      purchase.checkoutExpiresAt !== null &&
      purchase.checkoutExpiresAt.getTime() - REUSE_MARGIN_MS < Date.now()
    );
  }

  private async findOwn(buyer: User, purchaseId: string): Promise<Purchase> {
    const purchase = await this.purchases.findOne({
      where: { id: purchaseId, buyerId: buyer.id },
      relations: { product: true },
    });
    // Someone else's purchase is answered exactly like a missing one.
    if (purchase === null) throw notFound('Purchase');
    return purchase;
  }

  private defaultSuccessUrl(): string {
    return `${this.config.publicUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`;
  }

  private alreadyOwned(): DomainException {
    return new DomainException(
      HttpStatus.CONFLICT,
      ErrorCode.AlreadyOwned,
      'You already own this product; see GET /mypurchases',
    );
  }

  private toCheckoutDto(
    purchase: Pick<Purchase, 'id' | 'status' | 'checkoutUrl' | 'providerSessionId'>,
  ): CheckoutDto {
    return {
      purchaseId: purchase.id,
      status: purchase.status,
      checkoutUrl: purchase.status === PurchaseStatus.Pending ? purchase.checkoutUrl : null,
      sessionId: purchase.providerSessionId,
    };
  }

  private toPurchaseDto(purchase: Purchase): PurchaseDto {
    return {
      id: purchase.id,
      status: purchase.status,
      hasAccess: grantsAccess(purchase),
      amountCents: purchase.amountCents,
      currency: purchase.currency,
      refundedCents: purchase.refundedCents,
      provider: purchase.provider,
      paidAt: purchase.paidAt,
      refundedAt: purchase.refundedAt,
      createdAt: purchase.createdAt,
      product: { id: purchase.productId, title: purchase.product?.title ?? '' },
    };
  }
}
