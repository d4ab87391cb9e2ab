import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { PayoutsModule } from '../payouts/payouts.module.js';
import { Product } from '../products/product.entity.js';
import { CheckoutController } from './checkout.controller.js';
import { CreatorSalesController } from './creator-sales.controller.js';
import { FulfilmentService } from './fulfilment.service.js';
import { OnboardingPagesController } from './onboarding-pages.controller.js';
import { PaymentEventRecord } from './payment-event.entity.js';
import { Purchase } from './purchase.entity.js';
import { PurchasesController } from './purchases.controller.js';
import { PurchasesService } from './purchases.service.js';
import { RefundsService } from './refunds.service.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Purchase, PaymentEventRecord, Product]),
    PaymentsModule,
    PayoutsModule,
    MailModule,
  ],
  controllers: [
    PurchasesController,
    WebhooksController,
    CheckoutController,
    OnboardingPagesController,
    CreatorSalesController,
  ],
  providers: [PurchasesService, FulfilmentService, RefundsService],
  exports: [PurchasesService, FulfilmentService],
})
export class PurchasesModule {}
