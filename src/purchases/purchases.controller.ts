import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '../common/pipes/parse-uuid.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { type Page, PageDto, PageQueryDto } from '../common/pagination.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { CheckoutDto, LibraryItemDto, PurchaseDto, StartCheckoutDto } from './dto/purchase.dto.js';
import { PurchasesService } from './purchases.service.js';

const LibraryPage = PageDto(LibraryItemDto, 'LibraryPage');

@ApiTags('purchases')
@Controller()
export class PurchasesController {
  constructor(private readonly purchases: PurchasesService) {}

  @Post('purchase/:productId')
  @Auth(Role.Buyer)
  @RateLimit('payments')
  @ApiOperation({
    summary: 'Buy a product: start (or resume) a checkout',
    description:
      'Creates a pending purchase with the current price and a checkout session, and answers ' +
      'the URL to send the buyer to. Calling it again while the checkout is open returns the same ' +
      'checkout. A free product is paid at once (no checkoutUrl). The price is never taken from ' +
      'the request.',
  })
  // The first example, `{}`, works as it is on any port and address: the checkout then returns
  // to the API's own pages. A storefront names its own pages (on CORS_ORIGINS).
  @ApiBody({
    type: StartCheckoutDto,
    required: false,
    examples: {
      "the API's own success and cancel pages": { value: {} },
      'your storefront (its origin in CORS_ORIGINS)': {
        value: {
          successUrl: 'https://shop.example.com/thanks?session_id={CHECKOUT_SESSION_ID}',
          cancelUrl: 'https://shop.example.com/cart',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: CheckoutDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Invalid body, or a redirect URL off the allowed origins (REDIRECT_NOT_ALLOWED)',
  })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such published product' })
  @ApiConflictResponse({ type: ErrorDto, description: 'Already bought (ALREADY_OWNED)' })
  @ApiBadGatewayResponse({
    type: ErrorDto,
    description: 'The payment provider failed (PAYMENT_PROVIDER_ERROR); retrying is safe',
  })
  start(
    @CurrentUser() buyer: User,
    @UuidParam('productId') productId: string,
    @Body() dto: StartCheckoutDto,
  ): Promise<CheckoutDto> {
    return this.purchases.startCheckout(buyer, productId, dto);
  }

  @Get('purchases/:id')
  @Auth(Role.Buyer)
  @RateLimit('payments')
  @ApiOperation({
    summary: 'One of your purchases',
    description:
      'A pending purchase is re-checked with the payment provider first (at most once every ' +
      'few seconds per purchase), so a buyer back from checkout sees "paid" even before the ' +
      'webhook arrives. Rate limited per buyer (PAYMENT_REQUESTS_PER_MINUTE).',
  })
  @ApiOkResponse({ type: PurchaseDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such purchase of yours' })
  get(@CurrentUser() buyer: User, @UuidParam('id') id: string): Promise<PurchaseDto> {
    return this.purchases.getForBuyer(buyer, id);
  }

  @Get('mypurchases')
  @Auth(Role.Buyer)
  @ApiOperation({
    summary: 'Your library: everything you have paid for',
    description:
      'Newest first, archived products included. `hasAccess` says whether the file can be ' +
      'downloaded now (false after a full refund or while a dispute is open).',
  })
  @ApiOkResponse({ type: LibraryPage })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Invalid limit or cursor' })
  library(@CurrentUser() buyer: User, @Query() query: PageQueryDto): Promise<Page<LibraryItemDto>> {
    return this.purchases.library(buyer, query);
  }
}
