import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  buildMessage,
} from 'class-validator';

export const MAX_PRICE_CENTS = 99_999_999;
export const MIN_PAID_PRICE_CENTS = 50;

const trim = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

export const TitleRules = () => applyDecorators(trim, IsString(), Length(1, 200));

export const DescriptionRules = () => applyDecorators(trim, IsString(), MaxLength(10_000));

/** 0 (free), or from 50 to 99,999,999 minor units: below 50 no card payment goes through. */
export const PriceRules = () =>
  applyDecorators(
    IsInt(),
    ValidateBy({
      name: 'isPrice',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' &&
          (value === 0 || (value >= MIN_PAID_PRICE_CENTS && value <= MAX_PRICE_CENTS)),
        defaultMessage: buildMessage(
          (prefix) =>
            `${prefix}$property must be 0 (free) or from ${MIN_PAID_PRICE_CENTS} to ${MAX_PRICE_CENTS}`,
        ),
      },
    }),
  );

/** Format only; whether the currency is accepted is the configuration's call (in the service). */
export const CurrencyRules = () =>
  applyDecorators(
    IsString(),
    Matches(/^[a-z]{3}$/, { message: 'currency must be a lower-case ISO 4217 code such as usd' }),
  );
