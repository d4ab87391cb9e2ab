import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthService, READINESS_CHECKS } from './health.service.js';

@Module({
  controllers: [HealthController],
  providers: [HealthService, { provide: READINESS_CHECKS, useValue: [] }],
})
export class HealthModule {}
