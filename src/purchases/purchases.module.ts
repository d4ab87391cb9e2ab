import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { Product } from '../products/product.entity.js';
import { CheckoutController } from './checkout.controller.js';
import { FulfilmentService } from './fulfilment.service.js';
import { PaymentEventRecord } from './payment-event.entity.js';
import { Purchase } from './purchase.entity.js';
import { PurchasesController } from './purchases.controller.js';
import { PurchasesService } from './purchases.service.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Purchase, PaymentEventRecord, Product]),
    PaymentsModule,
    MailModule,
  ],
  controllers: [PurchasesController, WebhooksController, CheckoutController],
  providers: [PurchasesService, FulfilmentService],
  exports: [PurchasesService, FulfilmentService],
})
export class PurchasesModule {}
