/** One message as the worker hands it to a transport. */
export interface OutgoingMail {
  /** The outbox row id: it makes the Message-ID, so a resend is recognisably the same message. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where email goes: an SMTP server, or .eml files on disk. Chosen by config (SMTP_URL). */
export interface MailTransport {
  readonly name: 'smtp' | 'eml';
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
