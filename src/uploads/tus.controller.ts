import { applyDecorators, Controller, Delete, Head, Patch, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { UploadBody } from '../common/request-timeouts.js';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { UploadsService } from './uploads.service.js';

const TusResumable = ApiHeader({ name: 'Tus-Resumable', required: true, example: '1.0.0' });
const Common = applyDecorators(
  TusResumable,
  ApiBadRequestResponse({
    type: ErrorDto,
    description: 'A bad id or tus header (VALIDATION_FAILED, TUS_PROTOCOL_ERROR)',
  }),
  ApiNotFoundResponse({
    type: ErrorDto,
    description:
      'No such upload among yours, or uploads go to Supabase with this configuration (NOT_FOUND)',
  }),
  ApiGoneResponse({
    type: ErrorDto,
    description: 'The upload is finished, used, refused or expired (UPLOAD_CLOSED)',
  }),
  ApiResponse({
    status: 412,
    type: ErrorDto,
    description: 'No or another Tus-Resumable version (TUS_PROTOCOL_ERROR)',
  }),
);

/**
 * The tus 1.0 server of the local storage driver, at the `tusEndpoint` that
 * `POST /creator/uploads` answers. Only the creator who started a session may touch it.
 */
@ApiTags('creator uploads')
@Controller('uploads')
@Auth(Role.Creator)
export class TusController {
  constructor(private readonly uploads: UploadsService) {}

  @Post(':id')
  @ApiOperation({
    summary: 'tus: create the upload (local driver)',
    description:
      'tus creation (and creation-with-upload). `Upload-Length` must be the declared size (so never 0); `Upload-Metadata` is optional. Answers 201 with the upload URL in `Location` (the same path). A second creation of one session is refused: resume it with HEAD and PATCH.',
  })
  @ApiHeader({ name: 'Upload-Length', required: true, example: '1073741824' })
  @ApiResponse({ status: 201, description: 'Created; `Location` is the upload URL' })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'This upload was created already (UPLOAD_EXISTS)',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description: 'Upload-Length over the declared size (FILE_TOO_LARGE)',
  })
  @Common
  @UploadBody()
  create(
    @CurrentUser() user: User,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.uploads.tus(user, id, req, res);
  }

  @Head(':id')
  @ApiOperation({
    summary: 'tus: how many bytes arrived (local driver)',
    description: 'Answers `Upload-Offset` and `Upload-Length`: resume with PATCH from that offset.',
  })
  @ApiResponse({ status: 200, description: '`Upload-Offset` and `Upload-Length` headers' })
  @Common
  offset(
    @CurrentUser() user: User,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.uploads.tus(user, id, req, res);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'tus: send bytes (local driver)',
    description:
      'Body `application/offset+octet-stream`, written at `Upload-Offset`, which must be the offset the server has. The bytes go straight to disk; none is held in memory.',
  })
  @ApiHeader({ name: 'Upload-Offset', required: true, example: '0' })
  @ApiHeader({
    name: 'Content-Type',
    required: true,
    example: 'application/offset+octet-stream',
  })
  @ApiNoContentResponse({ description: 'Stored; `Upload-Offset` is the new offset' })
  @ApiConflictResponse({
    type: ErrorDto,
    description: "Upload-Offset is not the server's offset (UPLOAD_OFFSET_MISMATCH)",
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description: 'More bytes than declared (FILE_TOO_LARGE)',
  })
  @ApiResponse({
    status: 415,
    type: ErrorDto,
    description: 'Not application/offset+octet-stream (TUS_PROTOCOL_ERROR)',
  })
  @Common
  @UploadBody()
  append(
    @CurrentUser() user: User,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.uploads.tus(user, id, req, res);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'tus: abandon an unfinished upload (local driver)',
    description: 'tus termination: the bytes received so far are deleted.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @Common
  terminate(
    @CurrentUser() user: User,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.uploads.tus(user, id, req, res);
  }
}
