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

/**
 * Stripe's smallest charge, in minor units, for the currencies where it is above 50
 * (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts): a lower price could
 * never be paid. Stripe also applies the minimum of the account's own settlement currency after
 * conversion, which no table can know; such a refusal still shows as PAYMENT_PROVIDER_ERROR.
 */
const MIN_CHARGE_MINOR_UNITS: Readonly<Record<string, number>> = {
  aed: 200,
  bgn: 100,
  czk: 1500,
  dkk: 250,
  hkd: 400,
  huf: 17500,
  mxn: 1000,
  myr: 200,
  nok: 300,
  pln: 200,
  ron: 200,
  sek: 300,
  thb: 1000,
};

/** The lowest paid price in `currency`, in minor units. */
export const minimumPaidPrice = (currency: string): number =>
  Math.max(MIN_PAID_PRICE_CENTS, MIN_CHARGE_MINOR_UNITS[currency] ?? 0);

/** Why a paid price is below its currency's minimum, or undefined when it is not. */
export function priceBelowMinimum(priceCents: number, currency: string): string | undefined {
  const minimum = minimumPaidPrice(currency);
  if (priceCents === 0 || priceCents >= minimum) return undefined;
  return `priceCents must be 0 (free) or at least ${minimum} in ${currency}, the smallest card payment accepted in it`;
}

const trim = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

export const TitleRules = () => applyDecorators(trim, IsString(), Length(1, 200));

export const DescriptionRules = () => applyDecorators(trim, IsString(), MaxLength(10_000));

/**
 * 0 (free), or from 50 to 99,999,999 minor units: below 50 no card payment goes through. The
 * per-currency minimum (minimumPaidPrice) needs the currency too, so the service checks it.
 */
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
