import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { DomainException } from '../domain.exception.js';
import { ErrorCode } from '../error-codes.js';
import { IS_PUBLIC, REQUIRED_ROLES } from '../decorators/auth.decorator.js';
import type { Role } from '../../users/role.enum.js';
import type { User } from '../../users/user.entity.js';

interface RouteAccess {
  isPublic: boolean;
  roles: Role[] | undefined;
}

/** Global guard: every route needs a valid bearer token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly access = new WeakMap<object, WeakMap<object, RouteAccess>>();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { isPublic, roles } = this.routeAccess(context);
    // A public route is let through at once: no promise for Nest to wait on.
    if (isPublic) return true;
    return this.authenticate(context, roles);
  }

  private async authenticate(
    context: ExecutionContext,
    roles: Role[] | undefined,
  ): Promise<boolean> {
    await super.canActivate(context);
    const http = context.switchToHttp();
    const user = http.getRequest<Request & { user: User }>().user;
    // What a signed-in caller gets is theirs alone (a download link is itself a credential):
    // no browser or proxy cache keeps it, for whoever uses the machine next. A handler may say
    // otherwise for its own answer.
    http.getResponse<Response>().setHeader('Cache-Control', 'no-store');
    if (roles !== undefined && roles.length > 0 && !roles.includes(user.role)) {
      throw new DomainException(
        HttpStatus.FORBIDDEN,
        ErrorCode.ForbiddenRole,
        `This route is for ${roles.join(' or ')} accounts`,
      );
    }
    return true;
  }

  /** A route's decorators, read once per handler: they are fixed when the app is built. */
  private routeAccess(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    const controller = context.getClass();
    // Per controller too: a subclass may inherit the handler and decorate itself otherwise.
    let byHandler = this.access.get(controller);
    if (byHandler === undefined) this.access.set(controller, (byHandler = new WeakMap()));
    let access = byHandler.get(handler);
    if (access === undefined) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets),
      };
      byHandler.set(handler, access);
    }
    return access;
  }

  override handleRequest<TUser = User>(error: unknown, user: TUser | false): TUser {
    // passport-jwt reports a bad token as "no user"; an error is ours (the database is down
    // while loading the account): it must not read as a 401 that makes clients drop the token.
    if (error instanceof Error) throw error;
    if (error) throw new Error('Authentication failed unexpectedly', { cause: error });
    if (!user) {
      throw new DomainException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.Unauthenticated,
        'A valid bearer token is required',
      );
    }
    return user;
  }
}
