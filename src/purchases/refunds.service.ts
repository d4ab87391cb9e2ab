import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainException, notFound } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { PAYMENTS, type PaymentsDriver } from '../payments/payments.interface.js';
import type { User } from '../users/user.entity.js';
import type { RefundSaleDto, SaleDto } from './dto/sale.dto.js';
import { FulfilmentService } from './fulfilment.service.js';
import { PurchaseStatus } from './purchase-status.enum.js';
import { Purchase } from './purchase.entity.js';

const notRefundable = (message: string) =>
  new DomainException(HttpStatus.CONFLICT, ErrorCode.NotRefundable, message);

/** Refunds a creator gives on their own sales. */
@Injectable()
export class RefundsService {
  constructor(
    @InjectRepository(Purchase) private readonly purchases: Repository<Purchase>,
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly fulfilment: FulfilmentService,
  ) {}

  /**
   * Refunds `amountCents` (default: what is left) of one of the creator's paid sales through the
   * payments provider, then applies the provider's answer through fulfilment, the path its
   * `charge.refunded` event takes too: whichever arrives first changes the sale, the other
   * finds nothing left to do.
   */
  async refund(creator: User, purchaseId: string, dto: RefundSaleDto): Promise<SaleDto> {
    const purchase = await this.findSale(creator, purchaseId);
    if (purchase.paidAt === null || purchase.status !== PurchaseStatus.Paid) {
      throw notRefundable(
        purchase.status === PurchaseStatus.Disputed
          ? 'A disputed sale cannot be refunded; the dispute decides'
          : `Only a paid sale can be refunded (this one is ${purchase.status})`,
      );
    }
    const left = purchase.amountCents - purchase.refundedCents;
    if (left <= 0) throw notRefundable('Nothing is left to refund on this sale');
    if (purchase.provider !== this.payments.name || purchase.providerPaymentId === null) {
      throw notRefundable(
        `This sale was paid through ${purchase.provider}; refund it there (payments now go through ${this.payments.name})`,
      );
    }
    const amountCents = dto.amountCents ?? left;
    if (amountCents > left) {
      throw new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        `amountCents is more than is left to refund (${left})`,
        { fields: [{ field: 'amountCents', errors: [`amountCents must be at most ${left}`] }] },
      );
    }
    const event = await this.payments.refund({
      paymentId: purchase.providerPaymentId,
      purchaseId: purchase.id,
      amountCents,
      // A destination charge takes the money back from the creator's connected account.
      reverseTransfer: purchase.transferDestination !== null,
      // What was refunded before and how much now: a repeated click asks for the same refund
      // (and gets it once); a later refund of the same amount is a new one.
      idempotencyKey: `refund-${purchase.id}-${purchase.refundedCents}-${amountCents}`,
    });
    await this.fulfilment.handleEvent(this.payments.name, event);
    return toSale(await this.findSale(creator, purchaseId));
  }

  private async findSale(creator: User, purchaseId: string): Promise<Purchase> {
    const purchase = await this.purchases.findOne({
      where: { id: purchaseId },
      relations: { product: true, buyer: true },
    });
    // Another creator's sale is answered exactly like a missing one.
    if (purchase?.product?.creatorId !== creator.id) throw notFound('Sale');
    return purchase;
  }
}

function toSale(purchase: Purchase): SaleDto {
  const fee = purchase.feeCents - purchase.feeRefundedCents;
  return {
    purchaseId: purchase.id,
    productId: purchase.productId,
    productTitle: purchase.product?.title ?? '',
    buyerEmail: purchase.buyer?.email ?? '',
    amountCents: purchase.amountCents,
    currency: purchase.currency,
    status: purchase.status,
    refundedCents: purchase.refundedCents,
    feeCents: fee,
    earningsCents: purchase.amountCents - purchase.refundedCents - fee,
    paidAt: purchase.paidAt ?? purchase.createdAt,
  };
}
