import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared.js';
import type { RenderedMail } from './templates/render.js';

/** A message to queue: who gets it, what it says, and the cause that makes it happen once. */
export interface QueuedMail {
  causeKey: string;
  recipient: string;
  mail: RenderedMail;
}

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

  /** Several messages in one statement (one round trip); returns how many were new. */
  async enqueueAll(m: EntityManager, mails: QueuedMail[]): Promise<number> {
    if (mails.length === 0) return 0;
    // Every paid purchase queues two: a prepared statement (planned once per connection).
    const { rowCount } = await preparedQuery(
      m,
      'outbox-enqueue-all',
      `INSERT INTO outbox (cause_key, recipient, subject, text_body, html_body)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT ON CONSTRAINT "UQ_outbox_cause" DO NOTHING`,
      [
        mails.map((q) => q.causeKey),
        mails.map((q) => q.recipient),
        mails.map((q) => q.mail.subject.slice(0, 300)),
        mails.map((q) => q.mail.text),
        mails.map((q) => q.mail.html),
      ],
    );
    return rowCount ?? 0;
  }
}
