import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailTransport, OutgoingMail } from '../mail-transport.js';
import { messageId } from './smtp.transport.js';

/**
 * The laptop default (no SMTP_URL): each message becomes an .eml file under DATA_DIR/mail/, which
 * any mail client opens. Nothing to install, nothing lost. One log line names the file; the
 * message itself (which may carry a token) is never logged.
 */
export class EmlFileTransport implements MailTransport {
  readonly name = 'eml' as const;
  private readonly logger = new Logger('Mail');
  private readonly builder: Transporter;
  private dirMade?: Promise<unknown>;

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {
    this.builder = nodemailer.createTransport({ streamTransport: true, buffer: true });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = (await this.builder.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageId(mail.id, this.from),
    })) as { message: Buffer };
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const path = join(this.dir, `${stamp}-${mail.id}.eml`);
    // Written whole, then renamed: a reader never sees half a message. The directory is made
    // once, and again only if it has gone (a mkdir per message cost more than the write).
    const write = () => writeFile(`${path}.tmp`, info.message, { mode: 0o600 });
    await (this.dirMade ??= mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.dirMade = undefined; // tried again by the next message
      throw error;
    }));
    await write().catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(this.dir, { recursive: true });
      await write();
    });
    await rename(`${path}.tmp`, path);
    this.logger.log(`Email "${mail.subject}" to ${mail.to} written to ${path}`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
