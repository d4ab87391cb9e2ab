import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { isUuid } from '../common/uuid.js';

export interface JwtPayload {
  sub: string;
  role: Role;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfig,
    private readonly users: UsersService,
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
    });
  }

  /** A token is only as good as the account behind it: a deleted user's token is a 401. */
  async validate(payload: Partial<JwtPayload>): Promise<User | false> {
    if (!isUuid(payload.sub)) return false;
    const user = await this.users.findById(payload.sub);
    if (user === null || user.role !== payload.role) return false;
    return user;
  }
}
