import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes.js';

/** An error the client caused or may act on, with a stable code. */
export class DomainException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message, status);
  }
}

export const notFound = (what: string) =>
  new DomainException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `${what} not found`);
