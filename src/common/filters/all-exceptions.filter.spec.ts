import { describe, expect, it } from '@jest/globals';
import { type ArgumentsHost, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { isConnectionError } from '../../database/postgres-errors.js';
import { DomainException } from '../domain.exception.js';
import { ErrorCode } from '../error-codes.js';
import { AllExceptionsFilter } from './all-exceptions.filter.js';

// The filter logs what it catches; the assertions are about the answer.
Logger.overrideLogger(false);

interface Captured {
  status?: number;
  body?: unknown;
  headers: Record<string, string>;
}

function run(exception: unknown): Captured {
  const captured: Captured = { headers: {} };
  const response = {
    headersSent: false,
    set(name: string | Record<string, string>, value?: string) {
      if (typeof name === 'string') captured.headers[name] = value ?? '';
      else Object.assign(captured.headers, name);
      return response;
    },
    status(code: number) {
      captured.status = code;
      return response;
    },
    json(body: unknown) {
      captured.body = body;
      return response;
    },
  };
  const request = { id: 'req-1', method: 'GET', path: '/x' };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return captured;
}

// What node-postgres raises when an administrator terminates the backend (pg_terminate_backend).
const adminShutdown = Object.assign(
  new Error('terminating connection due to administrator command'),
  { code: '57P01', severity: 'FATAL' },
);
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
});
const terminated = new Error('Connection terminated unexpectedly');
const wrapped = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe(AllExceptionsFilter.name, () => {
  describe('database connection failures', () => {
    it.each([
      ['57P01 admin_shutdown', wrapped(adminShutdown)],
      ['ECONNREFUSED', refused],
      ['Connection terminated', wrapped(terminated)],
      ['pool timeout', new Error('timeout exceeded when trying to connect')],
      ['nested cause', new Error('outer', { cause: wrapped(terminated) })],
      [
        'FATAL at connect (database not accepting connections)',
        Object.assign(new Error('database "x" is not currently accepting connections'), {
          code: '55000',
          severity: 'FATAL',
        }),
      ],
    ])('%s answers 503 SERVICE_UNAVAILABLE with Retry-After', (_name, error) => {
      const { status, body, headers } = run(error);
      expect(status).toBe(503);
      expect(body).toEqual({
        statusCode: 503,
        code: ErrorCode.ServiceUnavailable,
        message: expect.any(String),
      });
      expect(headers['Retry-After']).toBe('1');
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|administrator|5432/);
    });

    it('keeps other query failures a plain 500 without internals', () => {
      const uniqueViolation = Object.assign(new Error('duplicate key value'), { code: '23505' });
      const { status, body } = run(wrapped(uniqueViolation));
      expect(status).toBe(500);
      expect(body).toEqual({
        statusCode: 500,
        code: ErrorCode.Internal,
        message: 'Internal server error',
      });
    });
  });

  it('answers 400 for text the database cannot store (NUL), whatever route let it through', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
    });
    const { status, body } = run(wrapped(nul));
    expect(status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, code: ErrorCode.ValidationFailed });
  });

  it('passes domain errors through with their code and headers', () => {
    const { status, body, headers } = run(
      new DomainException(429, ErrorCode.RateLimited, 'slow down', undefined, {
        'Retry-After': '7',
      }),
    );
    expect(status).toBe(429);
    expect(body).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' });
    expect(headers['Retry-After']).toBe('7');
  });

  it('answers JSON even when the route had set another content type', () => {
    const { headers } = run(
      new DomainException(404, ErrorCode.NotFound, 'Checkout session not found'),
    );
    expect(headers['Content-Type']).toBe('application/json; charset=utf-8');
  });

  it('does not take a plain error for a connection failure', () => {
    expect(isConnectionError(new Error('boom'))).toBe(false);
    expect(isConnectionError(null)).toBe(false);
    expect(isConnectionError('Connection terminated')).toBe(false);
  });
});
