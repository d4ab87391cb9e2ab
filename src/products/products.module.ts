import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueController } from './catalogue.controller.js';
import { CatalogueService } from './catalogue.service.js';
import { CreatorProductsController } from './creator-products.controller.js';
import { Product } from './product.entity.js';
import { ProductsService } from './products.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Product])],
  controllers: [CreatorProductsController, CatalogueController],
  providers: [ProductsService, CatalogueService],
  exports: [ProductsService, CatalogueService],
})
export class ProductsModule {}
