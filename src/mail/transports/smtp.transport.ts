import nodemailer, { type Transporter } from 'nodemailer';
import type { MailTransport, OutgoingMail } from '../mail-transport.js';

/** Delivers through an SMTP server (SMTP_URL) with nodemailer's connection pool. */
export class SmtpTransport implements MailTransport {
  readonly name = 'smtp' as const;
  private readonly transporter: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transporter = nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: 5,
      // Fail fast: the outbox retries later, and a worker must not sit on a dead server.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageId(mail.id, this.from),
    });
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}

/** `<outbox id@sender's domain>`: stable across retries of one message. */
export function messageId(id: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<${id}@${domain}>`;
}
