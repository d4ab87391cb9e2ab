import { Module } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { SimulatedPaymentsDriver } from './drivers/simulated.driver.js';
import { StripePaymentsDriver } from './drivers/stripe.driver.js';
import { PAYMENTS, type PaymentsDriver } from './payments.interface.js';
import { SimulatedCheckoutSession } from './simulated-checkout-session.entity.js';
import { SimulatedConnectedAccount, SimulatedRefund } from './simulated-connect.entities.js';

/** Provides PAYMENTS: the driver named by the validated config (PAYMENTS_DRIVER). */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      SimulatedCheckoutSession,
      SimulatedConnectedAccount,
      SimulatedRefund,
    ]),
  ],
  providers: [
    {
      provide: PAYMENTS,
      inject: [
        AppConfig,
        getRepositoryToken(SimulatedCheckoutSession),
        getRepositoryToken(SimulatedConnectedAccount),
      ],
      useFactory: (
        config: AppConfig,
        sessions: Repository<SimulatedCheckoutSession>,
        accounts: Repository<SimulatedConnectedAccount>,
      ): PaymentsDriver => {
        const { driver, stripe } = config.payments;
        switch (driver) {
          case 'stripe':
            // loadConfig guarantees the key whenever the driver is stripe.
            return new StripePaymentsDriver({
              secretKey: stripe?.secretKey ?? '',
              webhookSecret: stripe?.webhookSecret,
              connectWebhookSecret: stripe?.connectWebhookSecret,
              apiBase: stripe?.apiBase,
              timeoutMs: stripe?.timeoutMs,
              maxNetworkRetries: stripe?.maxNetworkRetries,
            });
          case 'simulated':
            return new SimulatedPaymentsDriver(sessions, config.publicUrl, accounts);
        }
      },
    },
  ],
  exports: [PAYMENTS],
})
export class PaymentsModule {}
