import { Module } from '@nestjs/common';
import { SalesService } from './sales.service.js';
import { StatsController } from './stats.controller.js';
import { StatsService } from './stats.service.js';
import { TimeZones } from './time-zones.js';

/** Read-only figures over purchases, products and downloads; nothing depends on it. */
@Module({
  controllers: [StatsController],
  providers: [StatsService, SalesService, TimeZones],
})
export class StatsModule {}
