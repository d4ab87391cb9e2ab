import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module.js';
import { PAYMENTS, type PaymentsDriver } from '../payments/payments.interface.js';
import { StorageModule } from '../storage/storage.module.js';
import { STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import { HealthController } from './health.controller.js';
import { HealthService, READINESS_CHECKS, type ReadinessCheck } from './health.service.js';

@Module({
  imports: [StorageModule, PaymentsModule],
  controllers: [HealthController],
  providers: [
    HealthService,
    {
      provide: READINESS_CHECKS,
      inject: [STORAGE, PAYMENTS],
      useFactory: (storage: StorageDriver, payments: PaymentsDriver): ReadinessCheck[] => [
        { name: 'storage', check: () => storage.checkReady() },
        { name: 'payments', check: () => payments.checkReady() },
      ],
    },
  ],
})
export class HealthModule {}
