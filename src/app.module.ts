import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { HttpDrain } from './common/http-drain.js';
import { LoggingModule } from './common/logging.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DownloadsModule } from './downloads/downloads.module.js';
import { HealthModule } from './health/health.module.js';
import { MailModule } from './mail/mail.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { PayoutsModule } from './payouts/payouts.module.js';
import { ProductsModule } from './products/products.module.js';
import { PurchasesModule } from './purchases/purchases.module.js';
import { StorageModule } from './storage/storage.module.js';
import { StatsModule } from './stats/stats.module.js';
import { UploadsModule } from './uploads/uploads.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        RateLimitModule,
        DatabaseModule.forRoot(),
        UsersModule,
        MailModule,
        AuthModule,
        HealthModule,
        StorageModule,
        UploadsModule,
        ProductsModule,
        PaymentsModule,
        PayoutsModule,
        PurchasesModule,
        DownloadsModule,
        StatsModule,
      ],
      providers: [HttpDrain],
    };
  }
}
