import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { isUuid } from '../common/uuid.js';
import { SessionsService } from './sessions/sessions.service.js';

export interface JwtPayload {
  sub: string;
  role: Role;
  /** The session the token belongs to: ending the session ends the token. */
  sid: string;
}

/** A request past the JWT guard: the caller and the session its token names. */
export type AuthenticatedRequest = Request & { user: User; sessionId: string };

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, made once: given the string, jsonwebtoken tries to parse it as a PEM public
      // key on every request (an exception inside OpenSSL) before treating it as an HMAC secret.
      // passport-jwt hands it to jsonwebtoken as is; its types only name strings and Buffers.
      secretOrKey: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as Buffer,
      // Pinned: a token signed with another algorithm (or `none`) is refused.
      algorithms: ['HS256'],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /**
   * A token is only as good as the account and the session behind it: a deleted user's token,
   * or one whose session was ended, is a 401.
   */
  async validate(req: Request, payload: Partial<JwtPayload>): Promise<User | false> {
    if (!isUuid(payload.sub) || !isUuid(payload.sid)) return false;
    const user = await this.sessions.findUser(payload.sub, payload.sid);
    if (user === null || user.role !== payload.role) return false;
    (req as AuthenticatedRequest).sessionId = payload.sid;
    return user;
  }
}
