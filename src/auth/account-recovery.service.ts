import { HttpStatus, Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { RateLimitService } from '../common/rate-limit/rate-limit.service.js';
import { AppConfig } from '../config/app-config.js';
import { MailService } from '../mail/mail.service.js';
import { resetPassword } from '../mail/templates/messages.js';
import type { User } from '../users/user.entity.js';
import { normalizeEmail } from '../users/users.service.js';
import { AccountTokensService, newToken, sha256 } from './account-tokens.service.js';
import type { ForgotPasswordDto, ResetPasswordDto, VerifyEmailDto } from './dto/recovery.dto.js';
import { SessionsService } from './sessions/sessions.service.js';
import { UserTokenPurpose } from './user-token.entity.js';

export const RESET_TOKEN_MINUTES = 30;
export const VERIFY_TOKEN_DAYS = 7;

const tokenInvalid = () =>
  new DomainException(
    HttpStatus.BAD_REQUEST,
    ErrorCode.TokenInvalid,
    'This link is not valid any more: it was used, it expired, or it was never issued',
  );

/** Password reset by email and email verification: single-use tokens, stored hashed. */
@Injectable()
export class AccountRecoveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensService,
    private readonly sessions: SessionsService,
    private readonly mail: MailService,
    private readonly limits: RateLimitService,
    private readonly config: AppConfig,
  ) {}

  /** Queues a verification email with a fresh token, in the caller's transaction. */
  async sendVerification(m: EntityManager, user: Pick<User, 'id' | 'email' | 'displayName'>) {
    const { id, token } = await this.tokens.issue(
      m,
      user.id,
      UserTokenPurpose.VerifyEmail,
      VERIFY_TOKEN_DAYS * 24 * 3600,
    );
    await this.mail.verifyEmail(m, user, id, token);
  }

  async resendVerification(user: User): Promise<void> {
    if (user.emailVerifiedAt !== null) return;
    await this.dataSource.transaction((m) => this.sendVerification(m, user));
  }

  async verifyEmail(dto: VerifyEmailDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const userId = await this.tokens.consume(m, dto.token, UserTokenPurpose.VerifyEmail);
      if (userId === null) throw tokenInvalid();
      await m.query(
        `UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1`,
        [userId],
      );
    });
  }

  /**
   * Emails a reset link when the address has an account. Whether it has one or not, the caller
   * sees the same answer after the same work: one statement that inserts the token and the
   * message only when the account exists (the message is rendered beforehand either way).
   */
  async forgotPassword(dto: ForgotPasswordDto): Promise<void> {
    const email = normalizeEmail(dto.email);
    const limited = await this.limits.consume('resetEmail', email);
    if (!limited.allowed) {
      throw new DomainException(
        HttpStatus.TOO_MANY_REQUESTS,
        ErrorCode.RateLimited,
        `Too many reset requests for this address; try again in ${limited.retryAfterSeconds} s`,
        undefined,
        { 'Retry-After': String(limited.retryAfterSeconds) },
      );
    }
    const token = newToken();
    const mail = resetPassword({
      email,
      link: this.mail.link('/reset-password', token),
      minutes: RESET_TOKEN_MINUTES,
    });
    await this.dataSource.query(
      `WITH account AS (SELECT id FROM users WHERE email = $1),
       issued AS (
         INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at)
         SELECT id, 'reset_password', $2, now() + make_interval(mins => $3) FROM account
         RETURNING id
       )
       INSERT INTO outbox (cause_key, recipient, subject, text_body, html_body)
       SELECT 'reset-password:' || issued.id, $1, $4, $5, $6 FROM issued`,
      [email, sha256(token), RESET_TOKEN_MINUTES, mail.subject, mail.text, mail.html],
    );
  }

  /** Sets a new password with a reset token; every session of the account ends. */
  async resetPassword(dto: ResetPasswordDto): Promise<void> {
    const passwordHash = await bcrypt.hash(dto.newPassword, this.config.bcryptCost);
    await this.dataSource.transaction(async (m) => {
      const userId = await this.tokens.consume(m, dto.token, UserTokenPurpose.ResetPassword);
      if (userId === null) throw tokenInvalid();
      // The link arrived by email, so the address is proven too.
      await m.query(
        `UPDATE users SET password_hash = $2, updated_at = now(),
           email_verified_at = coalesce(email_verified_at, now())
         WHERE id = $1`,
        [userId, passwordHash],
      );
      // Other reset links of the account die with this one.
      await m.query(
        `UPDATE user_tokens SET used_at = now()
         WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL`,
        [userId],
      );
      await this.sessions.revokeAll(userId, null, m);
    });
  }
}
