import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { AppConfig } from '../config/app-config.js';
import { ErrorCode } from './error-codes.js';
import { ErrorDto } from './error.dto.js';

/*
 * How long a client may take to send a request. Node bounds it per server, not per route:
 * `headersTimeout` (the headers, from the first byte of a request; an idle keep-alive connection
 * between two requests is not counted, so it may be shorter than keepAliveTimeout) and
 * `requestTimeout` (the whole request). Both are checked every `connectionsCheckingInterval`
 * (30 s by default, read when the server starts listening), which answers a bare 408 and closes
 * the connection, or emits `clientError` when there is a listener. The answer is never bounded.
 *
 * Uploads need an hour and everything else a few seconds, so the server's requestTimeout is the
 * upload limit, and every other request with a body gets a timer of its own from the end of its
 * headers, stopped when the body has arrived (`req.complete`, set by Node's parser whether or
 * not anyone reads the body). Upload routes stop that timer (@UploadBody) once the route is
 * known, before they read the body. Downloads have no request body: their answers stream for as
 * long as the client reads.
 */

const bodyTimers = new WeakMap<IncomingMessage, NodeJS.Timeout>();

const errorBody = (statusCode: number, code: ErrorCode, message: string) =>
  JSON.stringify({ statusCode, code, message });

/** Sets Node's server-wide limits and answers their 408 in the error shape. */
export function applyServerTimeouts(server: Server, config: AppConfig): void {
  const { headersSeconds, uploadSeconds } = config.requestTimeouts;
  server.headersTimeout = headersSeconds * 1000;
  server.requestTimeout = uploadSeconds * 1000;
  // A 60 s headers limit checked every 30 s may take 90 s; a shorter limit is checked more often.
  // Not in @types/node as a property, but Node reads it from the server when it starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(30_000, (headersSeconds * 1000) / 4);
  // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  // With a listener Node leaves the answer to it: the same statuses as Node's own, as JSON.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // The answer in progress on this connection, if any (Node's own check).
    const response = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (socket.writable && !response?.headersSent) {
      const [status, reason, body] =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [
              408,
              'Request Timeout',
              // Node does not say which limit passed: the headers', or an upload's.
              errorBody(
                408,
                ErrorCode.RequestTimeout,
                `The request did not arrive in time (headers: ${headersSeconds} s, uploads: ${uploadSeconds} s)`,
              ),
            ]
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? [
                431,
                'Request Header Fields Too Large',
                errorBody(431, ErrorCode.HeadersTooLarge, 'The request headers are too large'),
              ]
            : [
                400,
                'Bad Request',
                errorBody(400, ErrorCode.MalformedRequest, 'The request is not valid HTTP'),
              ];
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n` +
          `Content-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroySoon();
  });
}

/**
 * Whether a request says it has a body: Transfer-Encoding or Content-Length, the test type-is's
 * `hasBody` makes for the body parsers. Without either, the request is complete with its headers.
 */
export function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined
  );
}

/** Express middleware: a request body other than an upload must arrive within REQUEST_TIMEOUT_SECONDS. */
export function bodyTimeout(config: AppConfig) {
  const seconds = config.requestTimeouts.bodySeconds;
  return (req: Request, res: Response, next: NextFunction): void => {
    // No body, or an empty one (Content-Length: 0): nothing to wait for.
    if (!hasBody(req) || req.headers['content-length'] === '0') {
      next();
      return;
    }
    const timer = setTimeout(() => {
      bodyTimers.delete(req);
      if (req.complete || req.socket.destroyed) return;
      if (res.headersSent) {
        req.socket.destroy();
        return;
      }
      // Whatever still reads the body fails once the connection is gone: no work is done for a
      // request that was answered 408.
      res.once('finish', () => req.socket.destroy());
      res
        .status(408)
        .set('Connection', 'close')
        .type('application/json')
        .send(
          errorBody(
            408,
            ErrorCode.RequestTimeout,
            `The request body did not arrive within ${seconds} s`,
          ),
        );
    }, seconds * 1000);
    bodyTimers.set(req, timer);
    const stop = () => {
      if (!req.complete) return;
      clearTimeout(timer);
      bodyTimers.delete(req);
    };
    req.once('end', stop);
    res.once('close', stop);
    next();
  };
}

/** Stops a request's body timer: the server's upload limit applies to it instead. */
@Injectable()
export class UploadBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    clearTimeout(bodyTimers.get(req));
    bodyTimers.delete(req);
    return next.handle();
  }
}

/**
 * A route that receives an upload: its body may take UPLOAD_TIMEOUT_SECONDS instead of
 * REQUEST_TIMEOUT_SECONDS. Its guards run first, so a refused caller still has the short limit.
 */
export function UploadBody() {
  return applyDecorators(
    UseInterceptors(UploadBodyInterceptor),
    ApiResponse({
      status: 408,
      type: ErrorDto,
      description:
        'The upload did not arrive within UPLOAD_TIMEOUT_SECONDS (REQUEST_TIMEOUT); the connection is closed',
    }),
  );
}
