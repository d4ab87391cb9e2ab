import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PayoutsModule } from '../payouts/payouts.module.js';
import { CatalogueController } from './catalogue.controller.js';
import { CatalogueService } from './catalogue.service.js';
import { CreatorProductsController } from './creator-products.controller.js';
import { Product } from './product.entity.js';
import { ProductsService } from './products.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Product]), PayoutsModule],
  controllers: [CreatorProductsController, CatalogueController],
  providers: [ProductsService, CatalogueService],
  exports: [ProductsService, CatalogueService],
})
export class ProductsModule {}
