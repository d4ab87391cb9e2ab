import { ApiProperty } from '@nestjs/swagger';

export class DownloadLinkDto {
  @ApiProperty({
    description:
      'A short-lived link to the file. Navigate the browser to it (or fetch it): it needs no ' +
      'Authorization header, and the browser saves the file under `filename`.',
    example: 'http://localhost:3000/files/eyJrIjoi...',
  })
  url: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the link stops working' })
  expiresAt: Date;

  @ApiProperty({ description: 'Seconds the link lives (DOWNLOAD_URL_TTL_SECONDS)', example: 60 })
  expiresIn: number;

  @ApiProperty({ example: 'guide.pdf' })
  filename: string;

  @ApiProperty({ description: 'Bytes', example: 1048576 })
  size: number;

  @ApiProperty({ example: 'application/pdf' })
  contentType: string;

  @ApiProperty({ description: 'The file version the link serves (always the latest)', example: 1 })
  version: number;
}
