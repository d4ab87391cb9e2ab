import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiGoneResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { type Page, PageDto, PageQueryDto } from '../common/pagination.js';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { UploadBody } from '../common/request-timeouts.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { ReplaceFileBodyDto, UploadProductBodyDto } from './dto/create-product.dto.js';
import { ProductDto } from './dto/product.dto.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import {
  CreateProductFromUploadDto,
  ProductVersionListDto,
  ReplaceFileFromUploadDto,
} from './dto/upload-file.dto.js';
import { StorageErrors } from '../storage/storage-errors.decorator.js';
import { ProductsService } from './products.service.js';

const ProductPage = PageDto(ProductDto, 'ProductPage');

const NotFound = ApiNotFoundResponse({
  type: ErrorDto,
  description: 'No such product among yours (NOT_FOUND)',
});
const BadId = ApiBadRequestResponse({
  type: ErrorDto,
  description: 'Invalid id or body (VALIDATION_FAILED, CURRENCY_NOT_ALLOWED)',
});
const FileErrors = applyDecorators(
  RateLimit(
    'uploads',
    'Too many uploads this hour (RATE_LIMITED: UPLOADS_PER_HOUR), or too many bytes (UPLOAD_BUDGET_EXCEEDED: UPLOAD_BYTES_PER_HOUR); Retry-After says when to retry; nothing is stored',
  ),
  ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description:
      'The file is over MAX_UPLOAD_BYTES (FILE_TOO_LARGE), or would take your files past STORAGE_QUOTA_BYTES (STORAGE_QUOTA_EXCEEDED); nothing is stored',
  }),
  ApiUnsupportedMediaTypeResponse({
    type: ErrorDto,
    description:
      'Not multipart/form-data (UNSUPPORTED_MEDIA_TYPE), or a file type outside ALLOWED_FILE_EXTENSIONS (UNSUPPORTED_FILE_TYPE)',
  }),
  StorageErrors('nothing is kept'),
);

const UploadErrors = applyDecorators(
  ApiConflictResponse({
    type: ErrorDto,
    description:
      'The upload is not finished (UPLOAD_INCOMPLETE) or is already the file of a product (UPLOAD_ALREADY_USED)',
  }),
  ApiGoneResponse({
    type: ErrorDto,
    description: 'The upload expired or was refused (UPLOAD_CLOSED)',
  }),
  ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description: 'More bytes arrived than declared (FILE_TOO_LARGE); the upload is deleted',
  }),
  ApiUnsupportedMediaTypeResponse({
    type: ErrorDto,
    description:
      'The bytes are a program, or the type is not accepted (UNSUPPORTED_FILE_TYPE); the upload is deleted',
  }),
  StorageErrors(),
);

@ApiTags('creator products')
@ApiExtraModels(ReplaceFileBodyDto, ReplaceFileFromUploadDto)
@Controller('creator')
@Auth(Role.Creator)
export class CreatorProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post('upload')
  @ApiOperation({
    summary: 'Upload a file and put it on sale',
    description:
      'multipart/form-data with `file` and the listing fields, in any order. The file streams to private storage; its size, SHA-256 and content type are computed on the way. Any error leaves neither a product nor a file behind.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadProductBodyDto })
  @ApiCreatedResponse({ type: ProductDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description:
      'No or empty file (FILE_REQUIRED), a bad or unknown field, several files (VALIDATION_FAILED), a currency not accepted (CURRENCY_NOT_ALLOWED)',
  })
  @FileErrors
  @UploadBody()
  upload(@CurrentUser() user: User, @Req() req: Request): Promise<ProductDto> {
    return this.products.upload(user, req);
  }

  @Post('products')
  @ApiOperation({
    summary: 'Put a finished resumable upload on sale',
    description:
      'JSON with `uploadId` (from `POST /creator/uploads`, every byte sent) and the listing fields. The server checks the stored bytes first (size, type from the first bytes, extension); a refused file is deleted and no product is made.',
  })
  @ApiCreatedResponse({ type: ProductDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'A bad field (VALIDATION_FAILED), a currency not accepted (CURRENCY_NOT_ALLOWED)',
  })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such upload among yours (NOT_FOUND)' })
  @UploadErrors
  createFromUpload(
    @CurrentUser() user: User,
    @Body() dto: CreateProductFromUploadDto,
  ): Promise<ProductDto> {
    return this.products.createFromUpload(user, dto);
  }

  @Get('products')
  @ApiOperation({ summary: 'Your products, every status, newest first' })
  @ApiOkResponse({ type: ProductPage })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Bad limit or cursor (VALIDATION_FAILED)' })
  list(@CurrentUser() user: User, @Query() query: PageQueryDto): Promise<Page<ProductDto>> {
    return this.products.list(user, query);
  }

  @Get('products/:id')
  @ApiOperation({ summary: 'One of your products' })
  @ApiOkResponse({ type: ProductDto })
  @BadId
  @NotFound
  get(@CurrentUser() user: User, @UuidParam('id') id: string): Promise<ProductDto> {
    return this.products.get(user, id);
  }

  @Patch('products/:id')
  @ApiOperation({
    summary: 'Edit a product (title, description, price, currency, status)',
    description:
      'Only the fields sent change. `status` is `published` or `unpublished`; either one brings back an archived product.',
  })
  @ApiOkResponse({ type: ProductDto })
  @BadId
  @NotFound
  update(
    @CurrentUser() user: User,
    @UuidParam('id') id: string,
    @Body() dto: UpdateProductDto,
  ): Promise<ProductDto> {
    return this.products.update(user, id, dto);
  }

  @Delete('products/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Archive a product',
    description:
      'It leaves the catalogue and is no longer sold; those who bought it keep their downloads. Archiving twice is fine. PATCH a status to bring it back.',
  })
  @ApiNoContentResponse({ description: 'Archived' })
  @BadId
  @NotFound
  archive(@CurrentUser() user: User, @UuidParam('id') id: string): Promise<void> {
    return this.products.archive(user, id);
  }

  @Put('products/:id/file')
  @ApiOperation({
    summary: "Replace a product's file (a new version)",
    description:
      'Either multipart/form-data with only `file`, or JSON `{uploadId, note?, notifyBuyers?}` naming a finished resumable upload (checked like `POST /creator/products`). The version goes up and buyers get the new file; older versions stay stored (`GET /creator/products/{id}/versions`). `notifyBuyers: true` emails every buyer who has access.',
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': { schema: { $ref: getSchemaPath(ReplaceFileBodyDto) } },
        'application/json': { schema: { $ref: getSchemaPath(ReplaceFileFromUploadDto) } },
      },
    },
  })
  @ApiOkResponse({ type: ProductDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description:
      'Invalid id, no or empty file (FILE_REQUIRED), a bad or extra field (VALIDATION_FAILED)',
  })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'No such product, or no such upload, among yours (NOT_FOUND)',
  })
  @ApiConflictResponse({
    type: ErrorDto,
    description:
      'The upload is not finished (UPLOAD_INCOMPLETE) or is already the file of a product (UPLOAD_ALREADY_USED)',
  })
  @ApiGoneResponse({
    type: ErrorDto,
    description: 'The upload expired or was refused (UPLOAD_CLOSED)',
  })
  @FileErrors
  @UploadBody()
  replaceFile(
    @CurrentUser() user: User,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<ProductDto> {
    return this.products.replaceFile(user, id, req);
  }

  @Get('products/:id/versions')
  @ApiOperation({
    summary: "Every version of a product's file",
    description: 'Newest first; older files stay stored.',
  })
  @ApiOkResponse({ type: ProductVersionListDto })
  @BadId
  @NotFound
  versions(@CurrentUser() user: User, @UuidParam('id') id: string): Promise<ProductVersionListDto> {
    return this.products.versions(user, id);
  }
}
