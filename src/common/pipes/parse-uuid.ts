import { HttpStatus, Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainException } from '../domain.exception.js';
import { ErrorCode } from '../error-codes.js';

/** A `:name` path parameter that must be a UUID: anything else is a 400 in the usual error shape. */
export const UuidParam = (name: string) =>
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
  );
