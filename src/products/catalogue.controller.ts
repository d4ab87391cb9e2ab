import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/auth.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { PageDto } from '../common/pagination.js';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { sendSerialized } from '../common/serialized-json.js';
import { CatalogueService } from './catalogue.service.js';
import { CatalogueQueryDto } from './dto/catalogue-query.dto.js';
import { CatalogueProductDto } from './dto/product.dto.js';

const CataloguePage = PageDto(CatalogueProductDto, 'CataloguePage');

@ApiTags('catalogue')
@Controller('products')
@Public()
export class CatalogueController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Get()
  @ApiOperation({
    summary: 'Browse and search published products',
    security: [],
    description:
      'Keyset pages: pass `nextCursor` back as `cursor` with the same `sort`. Answers carry an ETag; send it as If-None-Match to get a 304 when nothing changed.',
  })
  @ApiOkResponse({ type: CataloguePage })
  @ApiResponse({
    status: 304,
    description: 'Not modified: If-None-Match named the current ETag (no body)',
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Bad query, or a cursor from another sort (VALIDATION_FAILED)',
  })
  async list(@Query() query: CatalogueQueryDto, @Res() res: Response): Promise<void> {
    sendSerialized(res, await this.catalogue.listJson(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One published product', security: [] })
  @ApiOkResponse({ type: CatalogueProductDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'id is not a UUID (VALIDATION_FAILED)' })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'No such published product (NOT_FOUND)',
  })
  get(@UuidParam('id') id: string): Promise<CatalogueProductDto> {
    return this.catalogue.get(id);
  }
}
