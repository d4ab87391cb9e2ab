import { createHash, randomBytes } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainException } from '../../common/domain.exception.js';
import { ErrorCode } from '../../common/error-codes.js';
import { isUuid } from '../../common/uuid.js';
import { AppConfig } from '../../config/app-config.js';
import { User } from '../../users/user.entity.js';
import { preparedQuery } from '../../database/prepared.js';

/** A refresh token as issued: `<session id>.<secret>`, and when its session ends if unused. */
export interface IssuedRefreshToken {
  sessionId: string;
  token: string;
  expiresAt: Date;
}

/**
 * The statement behind every signed-in request: the user with a live session, its columns read
 * from the entity once. The query builder spent more CPU building this statement on each request
 * than PostgreSQL spent running it. (No User column has a transformer to apply.)
 */
function userColumns(dataSource: DataSource): string {
  return dataSource
    .getMetadata(User)
    .columns.map((c) => `u."${c.databaseName}" AS "${c.propertyName}"`)
    .join(', ');
}

function userWithSessionSql(dataSource: DataSource): string {
  return `SELECT ${userColumns(dataSource)} FROM users u
    JOIN sessions s ON s.id = $2 AND s.user_id = u.id
      AND s.revoked_at IS NULL AND s.expires_at > now()
    WHERE u.id = $1`;
}

/**
 * The whole rotation in one statement, with the account: a live session presented with its
 * current token gets the next one; presented with any other (an already rotated one) it ends.
 * SET reads the row as it was, RETURNING as it is now, so `rotated` tells the two apart. The
 * UPDATE locks the row: of two calls with the same token, the second waits, then reads the
 * first one's new hash and ends the session. (One round trip, where a transaction of
 * SELECT ... FOR UPDATE and UPDATE, then the account, took five.)
 */
function rotateSql(dataSource: DataSource): string {
  return `UPDATE sessions s SET
      token_hash = CASE WHEN s.token_hash = $2 THEN $3 ELSE s.token_hash END,
      refreshed_at = CASE WHEN s.token_hash = $2 THEN now() ELSE s.refreshed_at END,
      expires_at = CASE WHEN s.token_hash = $2 THEN $4 ELSE s.expires_at END,
      revoked_at = CASE WHEN s.token_hash = $2 THEN NULL ELSE now() END
    FROM users u
    WHERE s.id = $1 AND u.id = s.user_id AND s.revoked_at IS NULL AND s.expires_at > now()
    RETURNING s.token_hash = $3 AS "rotated", ${userColumns(dataSource)}`;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const invalid = () =>
  new DomainException(
    HttpStatus.UNAUTHORIZED,
    ErrorCode.RefreshTokenInvalid,
    'The refresh token is not valid; sign in again',
  );

/**
 * Sessions and their rotating refresh tokens. A token names its session, so a token that is not
 * the session's current one is recognised as a replayed (already rotated) one: the whole session
 * ends, since either the holder or a thief has the newer token and there is no telling which.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  private findUserSql?: string;
  private rotateSql?: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Opens a session for the user (inside the caller's transaction when given one). */
  async open(
    userId: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IssuedRefreshToken> {
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = this.expiry();
    // Sessions ended more than a day ago go in the same statement, so the table stays small.
    const rows: { id: string }[] = await m.query(
      `WITH ended AS (
         DELETE FROM sessions
         WHERE user_id = $1 AND (expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day')
       )
       INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, $3) RETURNING id`,
      [userId, sha256(secret), expiresAt],
    );
    return { sessionId: rows[0].id, token: `${rows[0].id}.${secret}`, expiresAt };
  }

  /**
   * Exchanges a refresh token for the next one; with the session's account. Of two concurrent
   * calls with the same token, one rotates and the other sees a reused token.
   */
  async rotate(token: string): Promise<{ user: User } & IssuedRefreshToken> {
    const [sessionId, secret] = token.split('.', 2);
    if (!isUuid(sessionId) || secret === undefined || secret === '') throw invalid();
    const next = randomBytes(32).toString('base64url');
    const expiresAt = this.expiry();
    this.rotateSql ??= rotateSql(this.dataSource);
    // The stored hash is compared in SQL, not in constant time: timing could at most reveal how
    // much of a SHA-256 an attacker's guess shares with it, which brings no preimage closer.
    const { rows } = await preparedQuery<{ rotated: boolean } & Partial<User>>(
      this.dataSource.manager,
      'session-rotate',
      this.rotateSql,
      [sessionId, sha256(secret), sha256(next), expiresAt],
    );
    if (rows.length === 0) throw invalid();
    const { rotated, ...columns } = rows[0];
    if (!rotated) {
      this.logger.warn(`A rotated refresh token was used again; session ${sessionId} ended`);
      throw new DomainException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.RefreshTokenReused,
        'This refresh token was already used; the session has ended, sign in again',
      );
    }
    return {
      user: Object.assign(new User(), columns),
      sessionId,
      token: `${sessionId}.${next}`,
      expiresAt,
    };
  }

  /**
   * The account behind an access token, in one query with its session: a token whose session
   * ended (logout, password change, reuse) is refused at once, with no second round trip.
   */
  async findUser(userId: string, sessionId: string): Promise<User | null> {
    this.findUserSql ??= userWithSessionSql(this.dataSource);
    // Every authenticated request runs this: straight on the pool, planned once per connection.
    const { rows } = await preparedQuery<Partial<User>>(
      this.dataSource.manager,
      'session-user',
      this.findUserSql,
      [userId, sessionId],
    );
    return rows.length === 0 ? null : Object.assign(new User(), rows[0]);
  }

  /** Ends one session of the user: its refresh token and its access tokens stop at once. */
  async revoke(userId: string, sessionId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET revoked_at = now()
       WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [sessionId, userId],
    );
  }

  /** Ends every session of the user but `keep` (none when omitted). */
  async revokeAll(
    userId: string,
    keep: string | null = null,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.query(
      `UPDATE sessions SET revoked_at = now()
       WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [userId, keep],
    );
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.sessions.refreshTtlDays * 24 * 3600 * 1000);
  }
}
