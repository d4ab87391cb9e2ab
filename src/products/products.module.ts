import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PayoutsModule } from '../payouts/payouts.module.js';
import { CatalogueController } from './catalogue.controller.js';
import { CatalogueService } from './catalogue.service.js';
import { CreatorProductsController } from './creator-products.controller.js';
import { UploadsModule } from '../uploads/uploads.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MailNewVersionNotifier, NewVersionNotifier } from './new-version-notifier.js';
import { Product } from './product.entity.js';
import { ProductVersion } from './product-version.entity.js';
import { ProductsService } from './products.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Product, ProductVersion]),
    UploadsModule,
    MailModule,
    PayoutsModule,
  ],
  controllers: [CreatorProductsController, CatalogueController],
  providers: [
    ProductsService,
    CatalogueService,
    { provide: NewVersionNotifier, useClass: MailNewVersionNotifier },
  ],
  exports: [ProductsService, CatalogueService],
})
export class ProductsModule {}
