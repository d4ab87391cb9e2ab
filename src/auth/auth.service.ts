import { HttpStatus, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { RateLimitService } from '../common/rate-limit/rate-limit.service.js';
import { AppConfig } from '../config/app-config.js';
import { toUserDto } from '../users/dto/user.dto.js';
import { Role } from '../users/role.enum.js';
import { User } from '../users/user.entity.js';
import { normalizeEmail, UsersService } from '../users/users.service.js';
import type { ChangePasswordDto, LoginDto, RegisterDto, TokenDto } from './dto/credentials.dto.js';
import { AccountRecoveryService } from './account-recovery.service.js';
import type { JwtPayload } from './jwt.strategy.js';
import { type IssuedRefreshToken, SessionsService } from './sessions/sessions.service.js';

@Injectable()
export class AuthService {
  /** Compared against when the email is unknown, so both failures cost one bcrypt comparison. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly limits: RateLimitService,
    private readonly recovery: AccountRecoveryService,
  ) {}

  /** Creates the account, its first session and the verification email, in one transaction. */
  async register(role: Role, dto: RegisterDto): Promise<TokenDto> {
    const passwordHash = await bcrypt.hash(dto.password, this.config.bcryptCost);
    const { user, session } = await this.dataSource.transaction(async (m) => {
      const created = await this.users.create(
        { email: dto.email, passwordHash, role, displayName: dto.displayName },
        m,
      );
      await this.recovery.sendVerification(m, created);
      return { user: created, session: await this.sessions.open(created.id, m) };
    });
    return this.issueTokens(user, session);
  }

  async login(dto: LoginDto): Promise<TokenDto> {
    const account = await this.reserveFailure(dto.email);
    let wrongPassword = false;
    try {
      const user = await this.users.findByEmail(dto.email);
      const hash = user?.passwordHash ?? (await this.getDummyHash());
      const matches = await bcrypt.compare(dto.password, hash);
      if (user === null || !matches) {
        wrongPassword = true;
        throw new DomainException(
          HttpStatus.UNAUTHORIZED,
          ErrorCode.InvalidCredentials,
          'Invalid email or password',
        );
      }
      return await this.issueTokens(user, await this.sessions.open(user.id));
    } finally {
      // Only a wrong password counts: a right one, or a failure of ours, gives the point back.
      if (!wrongPassword) await this.limits.refund('loginFailures', account);
    }
  }

  /** The next token pair of a session, for its current refresh token (no password, no bcrypt). */
  async refresh(refreshToken: string | undefined): Promise<TokenDto> {
    if (refreshToken === undefined) {
      throw new DomainException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.RefreshTokenInvalid,
        'No refresh token: send refresh_token in the body or the refresh_token cookie',
      );
    }
    const rotated = await this.sessions.rotate(refreshToken);
    return this.issueTokens(rotated.user, rotated);
  }

  logout(user: User, sessionId: string): Promise<void> {
    return this.sessions.revoke(user.id, sessionId);
  }

  /**
   * Changes the password after checking the current one; every other session ends. A wrong
   * current password counts as a failed sign-in of the account: a stolen access token must not
   * allow guessing the password faster than /login does.
   */
  async changePassword(user: User, sessionId: string, dto: ChangePasswordDto): Promise<void> {
    const account = await this.reserveFailure(user.email);
    let wrongPassword = false;
    try {
      if (!(await bcrypt.compare(dto.currentPassword, user.passwordHash))) {
        wrongPassword = true;
        // Not a 401: the caller is signed in, and a client must not take this for an expired token.
        throw new DomainException(
          HttpStatus.FORBIDDEN,
          ErrorCode.WrongPassword,
          'The current password is wrong',
        );
      }
      const passwordHash = await bcrypt.hash(dto.newPassword, this.config.bcryptCost);
      await this.dataSource.transaction(async (m) => {
        await m.update(User, { id: user.id }, { passwordHash });
        await this.sessions.revokeAll(user.id, sessionId, m);
      });
    } finally {
      if (!wrongPassword) await this.limits.refund('loginFailures', account);
    }
  }

  /**
   * Every check of a password takes one point of the account's failure budget
   * (LOGIN_FAILURES_PER_ACCOUNT per 15 minutes), counted per normalised email from every address
   * and every route together, known email or not (the answer must not tell them apart). The
   * point is taken before the password is checked and given back when it was right, so
   * concurrent guesses cannot all slip through one check. Returns the key to give it back to.
   */
  private async reserveFailure(email: string): Promise<string> {
    const account = normalizeEmail(email);
    const reserved = await this.limits.reserve('loginFailures', account);
    if (!reserved.allowed) {
      throw new DomainException(
        HttpStatus.TOO_MANY_REQUESTS,
        ErrorCode.RateLimited,
        `Too many failed sign-ins for this account; try again in ${reserved.retryAfterSeconds} s`,
        undefined,
        { 'Retry-After': String(reserved.retryAfterSeconds) },
      );
    }
    return account;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash('not a real password', this.config.bcryptCost);
    return this.dummyHash;
  }

  private async issueTokens(user: User, session: IssuedRefreshToken): Promise<TokenDto> {
    const payload: JwtPayload = { sub: user.id, role: user.role, sid: session.sessionId };
    return {
      access_token: await this.jwt.signAsync(payload),
      token_type: 'bearer',
      expires_in: this.config.jwt.expiresIn,
      refresh_token: session.token,
      refresh_expires_in: this.config.sessions.refreshTtlDays * 24 * 3600,
      user: toUserDto(user),
    };
  }
}
