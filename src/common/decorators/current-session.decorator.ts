import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The id of the session the caller's access token names (set by the JWT strategy). */
export const CurrentSession = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string =>
    ctx.switchToHttp().getRequest<Request & { sessionId: string }>().sessionId,
);
