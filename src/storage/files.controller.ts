import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/decorators/auth.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { FilesService } from './files.service.js';

// Served with the file's own type (application/pdf, audio/wav...), so any media type.
const binary = {
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
} as const;

@ApiTags('files')
@Controller('files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get(':token')
  @Public()
  @ApiOperation({
    summary: 'Download a file through a signed link',
    description:
      'The target of the short-lived links `GET /download/:productId` issues with the local ' +
      'storage driver; the token itself is the credential. Streams the file as an attachment ' +
      'under its original name, with `ETag`, `Last-Modified` and single-range requests ' +
      '(`Range: bytes=…`, `If-Range`) so an interrupted download can resume. Also answers HEAD.',
    security: [],
  })
  @ApiParam({ name: 'token', description: 'The signed token from the download link' })
  @ApiOkResponse({ description: 'The whole file', ...binary })
  @ApiResponse({ status: 206, description: 'The requested range of the file', ...binary })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description: 'Tampered or malformed link (LINK_INVALID)',
  })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'The file no longer exists, or links are served by Supabase (NOT_FOUND)',
  })
  @ApiGoneResponse({ type: ErrorDto, description: 'The link has expired (LINK_EXPIRED)' })
  @ApiResponse({
    status: 416,
    type: ErrorDto,
    description: 'The range lies outside the file (RANGE_NOT_SATISFIABLE)',
  })
  download(
    @Param('token') token: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.files.serve(token, req, res);
  }
}
