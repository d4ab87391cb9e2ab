import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { MAX_BODY_DEPTH, MAX_BODY_VALUES } from '../body-shape.js';
import { DomainException } from '../domain.exception.js';
import type { ErrorDto } from '../error.dto.js';
import { ErrorCode } from '../error-codes.js';
import { isConnectionError, isUnstorableText } from '../../database/postgres-errors.js';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

/** body-parser's errors carry an HTTP status and a `type`. */
interface BodyParserError {
  type: string;
  status: number;
}
const isBodyParserError = (e: unknown): e is BodyParserError =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as BodyParserError).type === 'string' &&
  typeof (e as BodyParserError).status === 'number';

/** Every error leaves as `{ statusCode, code, message }`; internals never do. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const body = this.toBody(exception, request);
    if (response.headersSent) {
      // A stream failed after its headers went out: all that is left is to cut it short.
      response.destroy();
      return;
    }
    if (exception instanceof DomainException && exception.headers) {
      response.set(exception.headers);
    }
    if (body.code === ErrorCode.ServiceUnavailable) response.set('Retry-After', '1');
    // A route may have set another type (an HTML page) before failing: errors are always JSON.
    response.set('Content-Type', 'application/json; charset=utf-8');
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request): ErrorDto {
    if (exception instanceof DomainException) {
      return {
        statusCode: exception.getStatus(),
        code: exception.code,
        message: exception.message,
        ...exception.details,
      };
    }
    // Nest wraps body-parser's errors in an HttpException with the original as `cause`.
    const cause = exception instanceof HttpException ? exception.cause : exception;
    if (isBodyParserError(cause) && cause.status >= 400 && cause.status < 500) {
      if (cause.type === 'entity.parse.failed') {
        return {
          statusCode: 400,
          code: ErrorCode.MalformedJson,
          message: 'The body is not valid JSON',
        };
      }
      if (cause.type === 'entity.too.complex' || cause.type === 'parameters.too.many') {
        return {
          statusCode: 400,
          code: ErrorCode.ValidationFailed,
          message: `The body may nest at most ${MAX_BODY_DEPTH} levels and hold at most ${MAX_BODY_VALUES} values`,
        };
      }
      if (cause.type === 'charset.unsupported') {
        return {
          statusCode: 415,
          code: ErrorCode.UnsupportedMediaType,
          message: 'JSON bodies must be UTF-8',
        };
      }
      if (cause.type === 'entity.too.large') {
        return {
          statusCode: 413,
          code: ErrorCode.PayloadTooLarge,
          message: 'The body is too large',
        };
      }
      return {
        statusCode: cause.status,
        code: CODE_BY_STATUS[cause.status] ?? ErrorCode.ValidationFailed,
        message: 'The body could not be read',
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      return {
        statusCode,
        code: CODE_BY_STATUS[statusCode] ?? this.fallbackCode(statusCode),
        message: this.httpMessage(exception),
      };
    }
    if (isUnstorableText(exception)) {
      return {
        statusCode: HttpStatus.BAD_REQUEST,
        code: ErrorCode.ValidationFailed,
        message: 'The request contains characters that cannot be stored (such as NUL)',
      };
    }
    if (isConnectionError(exception)) {
      // The database dropped or refused the connection: the pool reconnects, so a retry may work.
      this.logger.warn(
        { err: exception, reqId: request.id, method: request.method, path: request.path },
        'Database unavailable',
      );
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.ServiceUnavailable,
        message: 'The service is temporarily unavailable; try again shortly',
      };
    }
    this.logger.error(
      { err: exception, reqId: request.id, method: request.method, path: request.path },
      'Unhandled error',
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.Internal,
      message: 'Internal server error',
    };
  }

  private fallbackCode(status: number): ErrorCode {
    return status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed;
  }

  private httpMessage(exception: HttpException): string {
    if (exception.getStatus() === 404) return 'Not found';
    if (exception.getStatus() === 429) return 'Too many requests; try again later';
    if (exception.getStatus() >= 500) return 'Internal server error';
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }
}
