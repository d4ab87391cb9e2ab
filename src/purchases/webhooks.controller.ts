import {
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  type RawBodyRequest,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/decorators/auth.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { PAYMENTS, type PaymentsDriver } from '../payments/payments.interface.js';
import { WebhookAckDto } from './dto/webhook.dto.js';
import { FulfilmentService } from './fulfilment.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly fulfilment: FulfilmentService,
  ) {}

  @Post('stripe')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Stripe webhook endpoint',
    description:
      'Called by Stripe, not by clients. The signature is checked over the raw body; each event ' +
      'is applied once. A failure while processing answers 5xx so that Stripe retries.',
    security: [],
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true })
  @ApiBody({
    description:
      'A Stripe Event object (https://docs.stripe.com/api/events/object), as Stripe sends it: ' +
      'the signature covers these exact bytes.',
    schema: {
      type: 'object',
      required: ['id', 'object', 'type', 'data'],
      properties: {
        id: { type: 'string', example: 'evt_1PqRsT2eZvKYlo2C' },
        object: { type: 'string', enum: ['event'] },
        type: { type: 'string', example: 'checkout.session.completed' },
        api_version: { type: 'string', nullable: true },
        created: { type: 'integer' },
        livemode: { type: 'boolean' },
        data: {
          type: 'object',
          required: ['object'],
          properties: { object: { type: 'object', description: 'The object the event is about' } },
        },
      },
    },
  })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Missing, wrong or stale signature (WEBHOOK_SIGNATURE_INVALID)',
  })
  async stripe(@Req() req: RawBodyRequest<Request>): Promise<WebhookAckDto> {
    const event = this.payments.parseWebhook({
      rawBody: req.rawBody ?? Buffer.alloc(0),
      headers: req.headers,
    });
    const outcome = await this.fulfilment.handleEvent('stripe', event);
    return { received: true, outcome };
  }
}
