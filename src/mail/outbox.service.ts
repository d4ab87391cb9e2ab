import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RenderedMail } from './templates/render.js';

/**
 * Writes messages to the outbox inside the caller's transaction: the message exists exactly
 * when its cause was committed. A cause key already there means the message was already
 * queued (a replayed webhook, a second click): nothing is added.
 */
@Injectable()
export class OutboxService {
  async enqueue(
    m: EntityManager,
    causeKey: string,
    recipient: string,
    mail: RenderedMail,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO outbox (cause_key, recipient, subject, text_body, html_body)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ON CONSTRAINT "UQ_outbox_cause" DO NOTHING
       RETURNING id`,
      [causeKey, recipient, mail.subject.slice(0, 300), mail.text, mail.html],
    );
    return rows.length > 0;
  }
}
