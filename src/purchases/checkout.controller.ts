import { Optional } from '../common/decorators/optional.decorator.js';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiExtension,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { Response } from 'express';
import { Public } from '../common/decorators/auth.decorator.js';
import { HtmlPage } from '../common/decorators/html-page.decorator.js';
import { notFound } from '../common/domain.exception.js';
import { ErrorDto } from '../common/error.dto.js';
import { AppConfig } from '../config/app-config.js';
import {
  SIMULATED_PAY_OUTCOMES,
  SimulatedPaymentsDriver,
  type SimulatedPayOutcome,
} from '../payments/drivers/simulated.driver.js';
import { PAYMENTS, type PaymentsDriver } from '../payments/payments.interface.js';
import { resultPage, simulatedCheckoutPage } from './checkout-pages.js';
import { NO_DATABASE } from '../swagger.js';
import { FulfilmentService } from './fulfilment.service.js';
import { PurchasesService } from './purchases.service.js';

export class SimulatedPayDto {
  @Optional()
  @IsIn(SIMULATED_PAY_OUTCOMES)
  outcome?: SimulatedPayOutcome;
}

@ApiTags('checkout')
@Controller('checkout')
@Public()
export class CheckoutController {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly fulfilment: FulfilmentService,
    private readonly purchases: PurchasesService,
    private readonly config: AppConfig,
  ) {}

  @Get('success')
  @ApiOperation({
    summary: 'Default page after a successful checkout',
    description:
      'Names the product and the amount of the checkout session `session_id`, and links to the ' +
      "buyer's library in the storefront.",
    security: [],
  })
  @ApiQuery({
    name: 'session_id',
    required: false,
    description: 'The checkout session, as the payment provider fills it in',
  })
  @HtmlPage()
  async success(@Query('session_id') sessionId: unknown): Promise<string> {
    const receipt =
      typeof sessionId === 'string' ? await this.purchases.receipt(sessionId) : undefined;
    return resultPage('success', receipt);
  }

  @Get('cancel')
  @ApiOperation({ summary: 'Default page after a cancelled checkout', security: [] })
  @HtmlPage()
  @ApiExtension(NO_DATABASE, true)
  cancel(): string {
    return resultPage('cancel');
  }

  @Get('simulated/:sessionId')
  @ApiOperation({
    summary: 'The simulated checkout page (simulated payments only)',
    description: 'Shows the product and amount with Pay and Cancel buttons. No money moves.',
    security: [],
  })
  @HtmlPage()
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such checkout session (NOT_FOUND)' })
  async page(
    @Param('sessionId') sessionId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const driver = this.simulated();
    const session = await driver.getSession(sessionId);
    if (session === null) throw notFound('Checkout session');
    this.setPagePolicy(res);
    return simulatedCheckoutPage({
      sessionId: session.sessionId,
      productTitle: session.productTitle,
      amountCents: session.amountCents,
      currency: session.currency,
      status: session.status,
      error:
        typeof res.req.query.error === 'string'
          ? 'The card was declined. Try another outcome.'
          : undefined,
    });
  }

  @Post('simulated/:sessionId/pay')
  @HttpCode(HttpStatus.SEE_OTHER)
  @ApiOperation({
    summary: 'Pay a simulated checkout',
    description:
      'Goes through the same fulfilment as a Stripe webhook, then redirects (303) to the ' +
      'success URL. `outcome` picks a path: success (default), decline, async_success, async_failure.',
    security: [],
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { outcome: { type: 'string', enum: [...SIMULATED_PAY_OUTCOMES] } },
      additionalProperties: false,
    },
  })
  @ApiResponse({ status: 303, description: 'Redirect to the success URL (or back to the page)' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such checkout session' })
  async pay(
    @Param('sessionId') sessionId: string,
    @Body() dto: SimulatedPayDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const driver = this.simulated();
    const paid = await driver.pay(sessionId, { outcome: dto.outcome ?? 'success' });
    // The same path as a provider's webhook deliveries, in the order a provider sends them.
    for (const event of paid.events) {
      await this.fulfilment.handleEvent(driver.name, event);
    }
    res.location(
      paid.result === 'declined'
        ? `/checkout/simulated/${encodeURIComponent(sessionId)}?error=declined`
        : paid.session.successUrl.replaceAll(
            '{CHECKOUT_SESSION_ID}',
            encodeURIComponent(sessionId),
          ),
    );
  }

  @Post('simulated/:sessionId/cancel')
  @HttpCode(HttpStatus.SEE_OTHER)
  @ApiOperation({
    summary: 'Leave a simulated checkout',
    description:
      'Redirects (303) to the cancel URL. Like Stripe, the session stays open until it expires.',
    security: [],
  })
  @ApiResponse({ status: 303, description: 'Redirect to the cancel URL' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such checkout session' })
  async leave(
    @Param('sessionId') sessionId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const { cancelUrl } = await this.simulated().cancel(sessionId);
    res.location(cancelUrl);
  }

  private simulated(): SimulatedPaymentsDriver {
    // With Stripe configured these pages do not exist.
    if (!(this.payments instanceof SimulatedPaymentsDriver)) throw notFound('Checkout session');
    return this.payments;
  }

  /** The page posts its form here and is redirected to the success URL (an allowed origin). */
  private setPagePolicy(res: Response): void {
    const origins = [this.config.publicUrl, ...this.config.corsOrigins].join(' ');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins}; base-uri 'none'; frame-ancestors 'none'`,
    );
  }
}
