import { Controller, Get, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import type { Page } from '../common/pagination.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { SaleDto, SalePageDto } from './dto/sale.dto.js';
import { SalesQueryDto } from './dto/sales-query.dto.js';
import { StatsQueryDto } from './dto/stats-query.dto.js';
import { StatsDto } from './dto/stats.dto.js';
import { MAX_PERIOD_DAYS } from './period.js';
import { SalesService } from './sales.service.js';
import { StatsService } from './stats.service.js';

const SALE_SEMANTICS =
  'A sale is a purchase whose payment went through (`paid_at`), whatever happened to it later: ' +
  'a refund or a lost dispute shows in `refundedCents` and does not unmake the sale. ' +
  'Free products count as sales of 0. Amounts and currencies are those of the checkout, never ' +
  'today’s prices, and different currencies are never added together. `feeCents` is the ' +
  'platform fee kept on those sales (`connect` payouts mode; 0 in `platform` mode), net of the ' +
  'fee returned with refunds, and `earningsCents` = `netCents − feeCents` is what the creator keeps.';

@ApiTags('stats')
@Controller('creator')
@Auth(Role.Creator)
export class StatsController {
  constructor(
    private readonly statsService: StatsService,
    private readonly sales: SalesService,
  ) {}

  @Get('stats')
  @ApiOperation({
    summary: 'Sales, earnings and downloads of the caller’s products',
    description: [
      SALE_SEMANTICS,
      '',
      'The period runs from `from` 00:00 to the end of `to` in `tz` (default: the last 30 days, ' +
        `today included; at most ${MAX_PERIOD_DAYS} days). \`totals\`: per currency, sales paid in the ` +
        'period, `grossCents` their amounts, `refundedCents` what has been refunded of those very ' +
        'sales so far (refunds count on the sale’s day, not on the refund’s, so a past period’s ' +
        'net can only go down as refunds arrive), `netCents` = gross − refunded, `buyers` the ' +
        'distinct buyers. `lifetime`: the same over all time. `products`: every product of the ' +
        'creator, sales or not, with its figures and the download links issued in the period. ' +
        '`daily`: one row per day and currency, zeros included, ready to chart, with the same ' +
        'money figures as the totals.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: StatsDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: `Bad date, unknown time zone, \`from\` after \`to\` or a period over ${MAX_PERIOD_DAYS} days (VALIDATION_FAILED)`,
  })
  stats(@CurrentUser() user: User, @Query() query: StatsQueryDto): Promise<StatsDto> {
    return this.statsService.stats(user, query);
  }

  @Get('sales')
  @ApiOperation({
    summary: 'The caller’s sales, newest first; CSV on request',
    description: [
      SALE_SEMANTICS,
      '',
      'JSON: one page of `limit` sales ordered by payment time then id, newest first; pass ' +
        '`nextCursor` back as `cursor`. `from`/`to` (days in `tz`) filter on the payment time.',
      '',
      'CSV (`format=csv`, or `Accept: text/csv`): every matching sale, not one page, streamed ' +
        'as `text/csv; charset=utf-8` with a header row and the same fields as the JSON items, in ' +
        'this order: `purchaseId, productId, productTitle, buyerEmail, amountCents, currency, ' +
        'status, refundedCents, paidAt, feeCents, earningsCents` (the last two came with creator ' +
        'payouts and sit at the end so older columns keep their places). ' +
        'Fields are quoted as RFC 4180 says; a cell starting with `=`, `+`, `-`, `@`, a tab or a ' +
        "carriage return gets a leading `'` so that spreadsheets do not run it as a formula.",
    ].join('\n'),
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(SalePageDto)
  @ApiOkResponse({
    description: 'A page of sales (JSON) or every matching sale (CSV)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SalePageDto) } },
      'text/csv': {
        schema: {
          type: 'string',
          example:
            'purchaseId,productId,productTitle,buyerEmail,amountCents,currency,status,refundedCents,paidAt,feeCents,earningsCents\r\n',
        },
      },
    },
  })
  @ApiBadRequestResponse({
    description:
      'Bad date, unknown time zone, `from` after `to`, or a cursor this API did not issue (VALIDATION_FAILED)',
    // Errors are JSON even when CSV was asked for.
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
  })
  list(
    @CurrentUser() user: User,
    @Query() query: SalesQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Page<SaleDto> | StreamableFile> {
    return wantsCsv(query, req) ? this.csv(user, query, res) : this.sales.list(user, query);
  }

  private async csv(user: User, query: SalesQueryDto, res: Response): Promise<StreamableFile> {
    const stream = await this.sales.csv(user, query);
    // A client that leaves mid-file stops the export: no batch is read for nobody.
    res.once('close', () => stream.destroy());
    const day = new Date().toISOString().slice(0, 10);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="sales-${day}.csv"`,
    });
  }
}

function wantsCsv(query: SalesQueryDto, req: Request): boolean {
  if (query.format !== undefined) return query.format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}
