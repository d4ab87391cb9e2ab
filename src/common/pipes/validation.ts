import {
  type ArgumentMetadata,
  HttpStatus,
  type Type,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { DomainException } from '../domain.exception.js';
import { ErrorCode } from '../error-codes.js';

function flatten(errors: ValidationError[], prefix = ''): { field: string; errors: string[] }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

type QuickParse = (value: unknown) => object | undefined;
const quickParsers = new Map<unknown, QuickParse>();

/**
 * Registers a cheap exact reading of a DTO's commonest input (e.g. a query with no filters) for
 * hot routes. `parse` returns the instance the full validation would, or undefined to leave the
 * value to it; it must never accept a value the full validation would refuse.
 */
export function quickParse<T extends object>(
  dto: Type<T>,
  parse: (value: unknown) => T | undefined,
) {
  quickParsers.set(dto, parse);
}

class AppValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const quick = quickParsers.get(metadata.metatype)?.(value);
    return quick !== undefined ? Promise.resolve(quick) : super.transform(value, metadata);
  }
}

/** Unknown fields are refused (a buyer cannot send `"role": "creator"`), and values are typed. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        `Request validation failed: ${fields.flatMap((f) => f.errors).join('; ')}`,
        { fields },
      );
    },
  });
}
