import { Controller, Get, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import type { User } from '../users/user.entity.js';
import { StorageErrors } from '../storage/storage-errors.decorator.js';
import { DownloadsService } from './downloads.service.js';
import { DownloadLinkDto } from './dto/download-link.dto.js';

@ApiTags('downloads')
@Controller('download')
export class DownloadsController {
  constructor(private readonly downloads: DownloadsService) {}

  @Get(':productId')
  @Auth()
  @RateLimit('downloads')
  @ApiOperation({
    summary: 'Get a short-lived download link for a product you bought (or created)',
    description: [
      'For a buyer whose purchase grants access (paid; not fully refunded; no open dispute), and',
      'for the creator who owns the product. Archived products stay downloadable for their buyers.',
      'Every call is checked afresh and logged.',
      '',
      'From an SPA: fetch this JSON with the bearer token, then navigate to `url`',
      '(`window.location.assign(link.url)`), or use it as an `<a href>` right away. The link needs',
      'no token, serves the latest version of the file with its original name, supports HTTP Range',
      'for resuming, and dies after `expiresIn` seconds (default 60): ask for a new one each time.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: DownloadLinkDto })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description:
      'NOT_PURCHASED (no paid purchase of a published product), ACCESS_REVOKED (refunded or disputed)',
  })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description:
      'No such product visible to you: unknown, another creator’s, or unpublished and never bought (NOT_FOUND)',
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'productId is not a UUID (VALIDATION_FAILED)',
  })
  @StorageErrors()
  link(
    @CurrentUser() user: User,
    @UuidParam('productId') productId: string,
    @Req() req: Request,
  ): Promise<DownloadLinkDto> {
    return this.downloads.issueLink(user, productId, {
      ip: req.ip ?? null,
      userAgent: req.get('user-agent') ?? null,
    });
  }
}
