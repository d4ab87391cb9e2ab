import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException } from '../domain.exception.js';
import { ErrorCode } from '../error-codes.js';

function flatten(errors: ValidationError[], prefix = ''): { field: string; errors: string[] }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Unknown fields are refused (a buyer cannot send `"role": "creator"`), and values are typed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
