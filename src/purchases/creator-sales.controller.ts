import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { RefundSaleDto, SaleDto } from './dto/sale.dto.js';
import { RefundsService } from './refunds.service.js';

@ApiTags('stats')
@Controller('creator/sales')
@Auth(Role.Creator)
export class CreatorSalesController {
  constructor(private readonly refunds: RefundsService) {}

  @Post(':purchaseId/refund')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Refund one of your sales, in full or in part',
    description:
      'Refunds `amountCents` (default: all that is left) through the payments provider. In ' +
      '`connect` payouts mode the transfer to your account is reversed and the platform fee ' +
      'returned, both in proportion (Stripe’s `reverse_transfer` and `refund_application_fee`). ' +
      'The sale changes through the same path as Stripe’s `charge.refunded` event, whichever ' +
      'comes first; a full refund ends the buyer’s access. Sending the same request again ' +
      '(a double click) refunds once. Answers the sale as it stands.',
  })
  @ApiAcceptedResponse({ type: SaleDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description:
      'amountCents not a positive whole number, or more than is left (VALIDATION_FAILED)',
  })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such sale of yours (NOT_FOUND)' })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'Not paid, disputed, or nothing left to refund (NOT_REFUNDABLE)',
  })
  @ApiBadGatewayResponse({
    type: ErrorDto,
    description: 'The payment provider failed (PAYMENT_PROVIDER_ERROR); retrying is safe',
  })
  refund(
    @CurrentUser() creator: User,
    @UuidParam('purchaseId') purchaseId: string,
    @Body() dto: RefundSaleDto,
  ): Promise<SaleDto> {
    return this.refunds.refund(creator, purchaseId, dto);
  }
}
