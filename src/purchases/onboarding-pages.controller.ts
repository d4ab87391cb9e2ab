import { Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Res } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiExtension,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/auth.decorator.js';
import { HtmlPage } from '../common/decorators/html-page.decorator.js';
import { notFound } from '../common/domain.exception.js';
import { ErrorDto } from '../common/error.dto.js';
import { AppConfig } from '../config/app-config.js';
import { SimulatedPaymentsDriver } from '../payments/drivers/simulated.driver.js';
import { PAYMENTS, type PaymentsDriver } from '../payments/payments.interface.js';
import { payoutStatus } from '../payouts/payout-status.js';
import { onboardingResultPage, simulatedOnboardingPage } from './checkout-pages.js';
import { NO_DATABASE } from '../swagger.js';
import { FulfilmentService } from './fulfilment.service.js';

/**
 * The pages a creator's browser visits around payouts onboarding: the default return and refresh
 * pages, and the simulated provider's onboarding page, which, like a Stripe Account Link, needs
 * no bearer token (the link itself is the secret). Its result goes through fulfilment like a
 * Stripe `account.updated` event.
 */
@ApiTags('payouts')
@Controller('payouts')
@Public()
export class OnboardingPagesController {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly fulfilment: FulfilmentService,
    private readonly config: AppConfig,
  ) {}

  @Get('return')
  @ApiOperation({ summary: 'Default page after payouts onboarding', security: [] })
  @HtmlPage()
  @ApiExtension(NO_DATABASE, true)
  returned(): string {
    return onboardingResultPage('return');
  }

  @Get('refresh')
  @ApiOperation({ summary: 'Default page for an expired onboarding link', security: [] })
  @HtmlPage()
  @ApiExtension(NO_DATABASE, true)
  refresh(): string {
    return onboardingResultPage('refresh');
  }

  @Get('simulated/onboarding/:linkId')
  @ApiOperation({
    summary: 'The simulated payouts onboarding page (simulated payments only)',
    description: 'Shows the account with "Complete onboarding" and "Leave unfinished" buttons.',
    security: [],
  })
  @HtmlPage()
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such onboarding link' })
  async page(
    @Param('linkId') linkId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const view = await this.simulated().getOnboarding(linkId);
    if (view === null) throw notFound('Onboarding link');
    const origins = [this.config.publicUrl, ...this.config.corsOrigins].join(' ');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins}; base-uri 'none'; frame-ancestors 'none'`,
    );
    return simulatedOnboardingPage({
      linkId,
      email: view.email,
      status: payoutStatus(view.account),
      requirementsDue: view.account.requirementsDue,
      expired: view.expired,
      refreshUrl: view.refreshUrl,
    });
  }

  @Post('simulated/onboarding/:linkId/complete')
  @HttpCode(HttpStatus.SEE_OTHER)
  @ApiOperation({
    summary: 'Complete simulated payouts onboarding',
    description:
      'Enables charges and payouts on the simulated account through the same path as a Stripe ' +
      '`account.updated` event, then redirects (303) to the return URL (the refresh URL when the ' +
      'link has expired or was used).',
    security: [],
  })
  @ApiResponse({ status: 303, description: 'Redirect to the return (or refresh) URL' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such onboarding link' })
  complete(
    @Param('linkId') linkId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    return this.finish(linkId, true, res);
  }

  @Post('simulated/onboarding/:linkId/leave')
  @HttpCode(HttpStatus.SEE_OTHER)
  @ApiOperation({
    summary: 'Leave simulated payouts onboarding unfinished',
    description: 'Changes nothing and redirects (303) to the return URL; the link is spent.',
    security: [],
  })
  @ApiResponse({ status: 303, description: 'Redirect to the return (or refresh) URL' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such onboarding link' })
  leave(@Param('linkId') linkId: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    return this.finish(linkId, false, res);
  }

  private async finish(linkId: string, complete: boolean, res: Response): Promise<void> {
    const driver = this.simulated();
    const { redirectTo, event } = await driver.finishOnboarding(linkId, complete);
    if (event !== null) await this.fulfilment.handleEvent(driver.name, event);
    res.location(redirectTo);
  }

  private simulated(): SimulatedPaymentsDriver {
    // With Stripe configured these pages do not exist.
    if (!(this.payments instanceof SimulatedPaymentsDriver)) throw notFound('Onboarding link');
    return this.payments;
  }
}
