import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { OutboxService, type QueuedMail } from './outbox.service.js';
import * as messages from './templates/messages.js';

interface SaleRow {
  purchase_id: string;
  amount_cents: number;
  currency: string;
  refunded_cents: number;
  status: string;
  title: string;
  buyer_email: string;
  creator_email: string;
}

/** What the receipt and the new-sale notice of a paid purchase say, and to whom. */
export interface PaidSale extends messages.SaleFacts {
  buyerEmail: string;
  creatorEmail: string;
}

/**
 * The messages the app sends, each queued in the caller's transaction under a cause key that
 * makes it happen once: `receipt:<purchase>`, `new-sale:<purchase>`,
 * `refund:<purchase>:<refunded total>`, `new-version:<product>:<version>:<buyer>`,
 * `verify-email:<token id>`. Links point at WEB_URL.
 */
@Injectable()
export class MailService {
  constructor(
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  link(path: string, token?: string): string {
    return `${this.config.webUrl}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  }

  async verifyEmail(
    m: EntityManager,
    user: { email: string; displayName: string },
    tokenId: string,
    token: string,
  ): Promise<void> {
    await this.outbox.enqueue(
      m,
      `verify-email:${tokenId}`,
      user.email,
      messages.verifyEmail({
        displayName: user.displayName,
        link: this.link('/verify-email', token),
      }),
    );
  }

  /**
   * The buyer's receipt and the creator's new-sale notice for a purchase that was just paid.
   * `sale`: what they say, when the caller has just read it (one round trip less).
   */
  async purchasePaid(m: EntityManager, purchaseId: string, sale?: PaidSale): Promise<void> {
    if (sale === undefined) {
      const row = await this.sale(m, purchaseId);
      if (row === null) return;
      sale = {
        purchaseId,
        productTitle: row.title,
        amountCents: row.amount_cents,
        currency: row.currency,
        buyerEmail: row.buyer_email,
        creatorEmail: row.creator_email,
      };
    }
    await this.outbox.enqueueAll(m, this.purchasePaidMails(sale));
  }

  private purchasePaidMails(sale: PaidSale): QueuedMail[] {
    const facts = {
      productTitle: sale.productTitle,
      amountCents: sale.amountCents,
      currency: sale.currency,
      purchaseId: sale.purchaseId,
    };
    return [
      {
        causeKey: `receipt:${sale.purchaseId}`,
        recipient: sale.buyerEmail,
        mail: messages.purchaseReceipt({ ...facts, libraryLink: this.link('/library') }),
      },
      {
        causeKey: `new-sale:${sale.purchaseId}`,
        recipient: sale.creatorEmail,
        mail: messages.newSale({ ...facts, dashboardLink: this.link('/dashboard') }),
      },
    ];
  }

  /** Tells the buyer what has been refunded so far: once per refunded total. */
  async purchaseRefunded(m: EntityManager, purchaseId: string): Promise<void> {
    const sale = await this.sale(m, purchaseId);
    if (sale === null || sale.refunded_cents <= 0) return;
    await this.outbox.enqueue(
      m,
      `refund:${purchaseId}:${sale.refunded_cents}`,
      sale.buyer_email,
      messages.refundNotice({
        productTitle: sale.title,
        amountCents: sale.amount_cents,
        currency: sale.currency,
        purchaseId,
        refundedCents: sale.refunded_cents,
        full: sale.status === 'refunded',
      }),
    );
  }

  /**
   * The hook for a creator's new file version: every buyer with access now gets one notice per
   * version. Returns how many were queued.
   */
  async newVersion(
    m: EntityManager,
    input: { productId: string; version: number; note?: string | null },
  ): Promise<number> {
    const product = await m.query<{ title: string }[]>('SELECT title FROM products WHERE id = $1', [
      input.productId,
    ]);
    if (product.length === 0) return 0;
    const mail = messages.newVersion({
      productTitle: product[0].title,
      version: input.version,
      note: input.note ?? null,
      libraryLink: this.link('/library'),
    });
    const rows: unknown[] = await m.query(
      `INSERT INTO outbox (cause_key, recipient, subject, text_body, html_body)
       SELECT DISTINCT 'new-version:' || $1::text || ':' || $2::text || ':' || u.id, u.email, $3, $4, $5
       FROM purchases p JOIN users u ON u.id = p.buyer_id
       WHERE p.product_id = $1::uuid AND p.status = 'paid'
       ON CONFLICT ON CONSTRAINT "UQ_outbox_cause" DO NOTHING
       RETURNING id`,
      [input.productId, String(input.version), mail.subject, mail.text, mail.html],
    );
    return rows.length;
  }

  private async sale(m: EntityManager, purchaseId: string): Promise<SaleRow | null> {
    const rows = await m.query<SaleRow[]>(
      `SELECT p.id AS purchase_id, p.amount_cents, p.currency, p.refunded_cents, p.status,
              pr.title, b.email AS buyer_email, c.email AS creator_email
       FROM purchases p
       JOIN products pr ON pr.id = p.product_id
       JOIN users b ON b.id = p.buyer_id
       JOIN users c ON c.id = pr.creator_id
       WHERE p.id = $1`,
      [purchaseId],
    );
    return rows[0] ?? null;
  }
}
