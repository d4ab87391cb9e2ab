import { Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module.js';
import { STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import { HealthController } from './health.controller.js';
import { HealthService, READINESS_CHECKS, type ReadinessCheck } from './health.service.js';

@Module({
  imports: [StorageModule],
  controllers: [HealthController],
  providers: [
    HealthService,
    {
      provide: READINESS_CHECKS,
      inject: [STORAGE],
      useFactory: (storage: StorageDriver): ReadinessCheck[] => [
        { name: 'storage', check: () => storage.checkReady() },
      ],
    },
  ],
})
export class HealthModule {}
