import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PayoutStatus } from '../payout-status.js';

export class PayoutsDto {
  @ApiProperty({
    enum: ['platform', 'connect'],
    example: 'connect',
    description:
      '`platform`: sales settle in the operator’s own account; `connect`: each creator is paid out by Stripe through a connected Express account',
  })
  mode: 'platform' | 'connect';

  @ApiProperty({
    enum: PayoutStatus,
    enumName: 'PayoutStatus',
    example: PayoutStatus.Pending,
    description:
      '`not_started` (no account, or details not submitted), `pending` (submitted, being verified), `enabled` (charges and payouts enabled), `restricted` (requirements past due or charges disabled). Always `enabled` in `platform` mode.',
  })
  status: PayoutStatus;

  @ApiProperty({ example: false, description: 'Buyers can pay for the creator’s products now' })
  chargesEnabled: boolean;

  @ApiProperty({ example: false, description: 'The provider pays the creator’s balance out' })
  payoutsEnabled: boolean;

  @ApiProperty({
    type: [String],
    example: ['external_account', 'individual.verification.document'],
    description: 'What the provider still needs from the creator (Stripe’s requirement names)',
  })
  requirementsDue: string[];
}

export class StartOnboardingDto {
  @ApiPropertyOptional({
    description:
      'Where the creator lands when they leave onboarding (finished or not): on PUBLIC_URL or an origin in CORS_ORIGINS. Default: the API’s /payouts/return page.',
    example: 'http://localhost:3000/payouts/return',
    maxLength: 2048,
  })
  @Optional()
  @IsString()
  @MaxLength(2048)
  returnUrl?: string;

  @ApiPropertyOptional({
    description:
      'Where an expired or used link sends the creator (ask for a new link there); same rules as returnUrl. Default: the API’s /payouts/refresh page.',
    example: 'http://localhost:3000/payouts/refresh',
    maxLength: 2048,
  })
  @Optional()
  @IsString()
  @MaxLength(2048)
  refreshUrl?: string;
}

export class OnboardingLinkDto {
  @ApiProperty({
    example: 'https://connect.stripe.com/setup/e/acct_1Nv0FGQ9RKHgCVdK/TqckGNUHg2mG',
    description:
      'Send the creator here (single use). With simulated payments: the API’s own onboarding page.',
  })
  url: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'The link stops working then' })
  expiresAt: Date;
}

export class DashboardLinkDto {
  @ApiProperty({
    example: 'https://connect.stripe.com/express/acct_1Nv0FGQ9RKHgCVdK/Jg5bLpYwbL1S',
    description: 'The creator’s Stripe Express dashboard (single use): balance, payouts, details',
  })
  url: string;
}
