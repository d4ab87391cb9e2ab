import { ApiProperty } from '@nestjs/swagger';

export class WebhookAckDto {
  @ApiProperty({ enum: [true] })
  received: true;

  @ApiProperty({
    enum: ['applied', 'duplicate', 'deferred', 'ignored'],
    description:
      'applied; duplicate (already processed); deferred (waits for the payment it refers to); ignored (not relevant)',
  })
  outcome: 'applied' | 'duplicate' | 'deferred' | 'ignored';
}
