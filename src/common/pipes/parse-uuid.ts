import { HttpStatus, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiParam } from '@nestjs/swagger';
import { DomainException } from '../domain.exception.js';
import { ErrorDto } from '../error.dto.js';
import { ErrorCode } from '../error-codes.js';

/**
 * A `:name` path parameter that must be a UUID: anything else is a 400 in the usual error shape.
 * It documents itself: the parameter's format, and the 400 (a route may describe its own 400).
 */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, key, index) => {
    Param(
      name,
      new ParseUUIDPipe({
        version: 'all',
        exceptionFactory: () =>
          new DomainException(
            HttpStatus.BAD_REQUEST,
            ErrorCode.ValidationFailed,
            `${name} must be a UUID`,
            {
              fields: [{ field: name, errors: [`${name} must be a UUID`] }],
            },
          ),
      }),
    )(target, key, index);
    if (key === undefined) return;
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;
    ApiParam({ name, type: String, format: 'uuid' })(target, key, descriptor);
    ApiBadRequestResponse({
      type: ErrorDto,
      description: `${name} is not a UUID (VALIDATION_FAILED)`,
    })(target, key, descriptor);
  };
