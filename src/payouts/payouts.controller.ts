import { Body, Controller, Get, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import {
  DashboardLinkDto,
  OnboardingLinkDto,
  PayoutsDto,
  StartOnboardingDto,
} from './dto/payouts.dto.js';
import { PayoutsService } from './payouts.service.js';

const PROVIDER_ERROR = {
  type: ErrorDto,
  description: 'The payment provider failed (PAYMENT_PROVIDER_ERROR); retrying is safe',
};

@ApiTags('payouts')
@Controller('creator/payouts')
@Auth(Role.Creator)
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Get()
  @ApiOperation({
    summary: 'Your payouts status',
    description:
      'In `connect` mode, whether buyers can pay you (`chargesEnabled`), whether Stripe pays you ' +
      'out, and what Stripe still needs (`requirementsDue`). Your account is re-read from Stripe ' +
      'on each call. In `platform` mode the operator is paid and the status is always `enabled`.',
  })
  @ApiOkResponse({ type: PayoutsDto })
  status(@CurrentUser() creator: User): Promise<PayoutsDto> {
    return this.payouts.status(creator);
  }

  @Post('onboarding')
  @ApiOperation({
    summary: 'Start or continue payouts onboarding',
    description:
      'Creates your Stripe Express account on the first call and answers a fresh, single-use ' +
      'onboarding link every time: send the browser there. Stripe then sends it to `returnUrl` ' +
      '(finished or not: check GET /creator/payouts) or, for an expired link, to `refreshUrl`. ' +
      'With simulated payments the link is a local page with "Complete onboarding" and ' +
      '"Leave unfinished".',
  })
  @ApiCreatedResponse({ type: OnboardingLinkDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Invalid body, or a URL off the allowed origins (REDIRECT_NOT_ALLOWED)',
  })
  @ApiConflictResponse({ type: ErrorDto, description: 'PAYOUTS_MODE is platform (CONFLICT)' })
  @ApiBadGatewayResponse(PROVIDER_ERROR)
  onboarding(
    @CurrentUser() creator: User,
    @Body() dto: StartOnboardingDto,
  ): Promise<OnboardingLinkDto> {
    return this.payouts.onboarding(creator, dto);
  }

  @Post('dashboard')
  @ApiOperation({
    summary: 'Open your Stripe Express dashboard',
    description: 'A single-use link to your balance, payouts and account details on Stripe.',
  })
  @ApiCreatedResponse({ type: DashboardLinkDto })
  @ApiConflictResponse({
    type: ErrorDto,
    description:
      'Onboarding not submitted yet (PAYOUTS_NOT_STARTED), or PAYOUTS_MODE is platform (CONFLICT)',
  })
  @ApiBadGatewayResponse(PROVIDER_ERROR)
  dashboard(@CurrentUser() creator: User): Promise<DashboardLinkDto> {
    return this.payouts.dashboard(creator);
  }
}
