import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { UploadSessionStatus } from '../upload-session-status.enum.js';

/** `POST /creator/uploads`: what the creator is about to send. */
export class CreateUploadDto {
  @ApiProperty({
    example: 'course-part-1.mp4',
    minLength: 1,
    maxLength: 1024,
    description:
      'The file name; its extension must be in ALLOWED_FILE_EXTENSIONS. Kept (cleaned) for display and downloads only.',
  })
  @IsString()
  @Length(1, 1024)
  fileName: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 1073741824,
    description: 'Exact size in bytes, at most MAX_UPLOAD_BYTES',
  })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  size: number;

  @ApiPropertyOptional({
    example: 'video/mp4',
    maxLength: 255,
    description:
      "The type the client believes the file has (default: the extension's). The finished file's type is read from its first bytes.",
  })
  @Optional()
  @IsString()
  @Length(3, 255)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/, {
    message: 'contentType must be a MIME type such as video/mp4',
  })
  contentType?: string;
}

/** The answer to `POST /creator/uploads`: where and how to send the bytes. */
export class UploadSessionDto {
  @ApiProperty({ format: 'uuid', description: 'The uploadId to finish with' })
  id: string;

  @ApiProperty({
    example: 'http://localhost:3000/uploads/6f1c…',
    description:
      'tus 1.0 creation endpoint: POST there (tus-js-client `endpoint`), then PATCH the Location it answers',
  })
  tusEndpoint: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: {},
    description:
      'Headers to send with every tus request, besides Tus-Resumable (local driver: none, but the bearer token; supabase: x-signature)',
  })
  headers: Record<string, string>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { filename: 'course-part-1.mp4', filetype: 'video/mp4' },
    description:
      'tus Upload-Metadata to send, as plain values (tus clients base64 them); supabase: bucketName, objectName, contentType, cacheControl',
  })
  metadata: Record<string, string>;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description: 'Chunk size to use (supabase: exactly 6 MiB), or null for any',
  })
  chunkSize: number | null;

  @ApiProperty({ example: 'course-part-1.mp4', description: 'The file name, cleaned' })
  fileName: string;

  @ApiProperty({ example: 1073741824 })
  size: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description:
      'When the session ends: unfinished or unused by then, it is deleted with its bytes',
  })
  expiresAt: Date;
}

/** `GET /creator/uploads/:id`: how far the upload got. */
export class UploadStatusDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    enum: UploadSessionStatus,
    enumName: 'UploadSessionStatus',
    description:
      '`pending` (bytes still missing), `complete` (every byte arrived), `refused` (failed the checks at finishing; deleted), `expired` (not finished or not used in time; deleted)',
  })
  status: UploadSessionStatus;

  @ApiProperty({
    example: 52428800,
    description:
      'Bytes stored so far (supabase: 0 until the upload completes; the tus client reports finer progress)',
  })
  receivedBytes: number;

  @ApiProperty({ example: 1073741824, description: 'Declared size' })
  size: number;

  @ApiProperty({ example: 'course-part-1.mp4' })
  fileName: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: Date;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The product it became the file (or a new version) of; null until then',
  })
  productId: string | null;
}
