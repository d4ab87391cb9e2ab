import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueController } from './catalogue.controller.js';
import { CatalogueService } from './catalogue.service.js';
import { CreatorProductsController } from './creator-products.controller.js';
import { UploadsModule } from '../uploads/uploads.module.js';
import { LoggingNewVersionNotifier, NewVersionNotifier } from './new-version-notifier.js';
import { Product } from './product.entity.js';
import { ProductVersion } from './product-version.entity.js';
import { ProductsService } from './products.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Product, ProductVersion]), UploadsModule],
  controllers: [CreatorProductsController, CatalogueController],
  providers: [
    ProductsService,
    CatalogueService,
    // The mail module's outbox takes this over; until then buyers are not emailed.
    { provide: NewVersionNotifier, useClass: LoggingNewVersionNotifier },
  ],
  exports: [ProductsService, CatalogueService],
})
export class ProductsModule {}
