import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport.js';
import { MailService } from './mail.service.js';
import { MailWorker } from './mail-worker.service.js';
import { OutboxService } from './outbox.service.js';
import { EmlFileTransport } from './transports/eml-file.transport.js';
import { SmtpTransport } from './transports/smtp.transport.js';

/** Email: messages queued in the outbox with their cause, delivered by the worker. */
@Module({
  providers: [
    {
      provide: MAIL_TRANSPORT,
      inject: [AppConfig],
      useFactory: (config: AppConfig): MailTransport =>
        config.mail.smtpUrl !== undefined
          ? new SmtpTransport(config.mail.smtpUrl, config.mail.from)
          : new EmlFileTransport(config.mail.mailDir, config.mail.from),
    },
    OutboxService,
    MailService,
    MailWorker,
  ],
  exports: [MailService, MailWorker],
})
export class MailModule {}
