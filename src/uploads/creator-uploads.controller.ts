import { Body, Controller, Get, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { Auth } from '../common/decorators/auth.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { CreateUploadDto, UploadSessionDto, UploadStatusDto } from './dto/upload.dto.js';
import { StorageErrors } from '../storage/storage-errors.decorator.js';
import { UploadsService } from './uploads.service.js';

@ApiTags('creator uploads')
@Controller('creator/uploads')
@Auth(Role.Creator)
export class CreatorUploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post()
  @ApiOperation({
    summary: 'Start a resumable (tus) upload',
    description:
      'For files too large for one request. Declare the file; the answer says where to send its bytes with any tus 1.0 client (tus-js-client, Uppy): `tusEndpoint`, the `headers` and `metadata` to send, and `chunkSize`. With the local driver the endpoint is this API (send your bearer token too); with Supabase it is Supabase Storage itself, with a signed upload token. Then finish with `POST /creator/products` or `PUT /creator/products/{id}/file` and the `id` as `uploadId`. Unfinished or unused by `expiresAt` (UPLOAD_SESSION_TTL_HOURS), the upload is deleted.',
  })
  @ApiCreatedResponse({ type: UploadSessionDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'A bad field (VALIDATION_FAILED)' })
  @RateLimit(
    'uploads',
    'Too many uploads this hour (RATE_LIMITED: UPLOADS_PER_HOUR), or the declared size is more than is left of the hour (UPLOAD_BYTES_PER_HOUR: UPLOAD_BUDGET_EXCEEDED); Retry-After says when to retry',
  )
  @ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description:
      'size is over MAX_UPLOAD_BYTES (FILE_TOO_LARGE), or with your files and open uploads would pass STORAGE_QUOTA_BYTES (STORAGE_QUOTA_EXCEEDED)',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorDto,
    description:
      'An extension outside ALLOWED_FILE_EXTENSIONS, or a program (UNSUPPORTED_FILE_TYPE)',
  })
  @StorageErrors()
  create(@CurrentUser() user: User, @Body() dto: CreateUploadDto): Promise<UploadSessionDto> {
    return this.uploads.create(user, dto);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Progress of one of your resumable uploads',
    description: 'Bytes stored so far and where the upload stands.',
  })
  @ApiOkResponse({ type: UploadStatusDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'id is not a UUID (VALIDATION_FAILED)' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such upload among yours (NOT_FOUND)' })
  @StorageErrors()
  status(@CurrentUser() user: User, @UuidParam('id') id: string): Promise<UploadStatusDto> {
    return this.uploads.status(user, id);
  }
}
