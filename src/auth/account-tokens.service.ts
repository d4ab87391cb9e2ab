import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UserTokenPurpose } from './user-token.entity.js';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

/** Single-use tokens sent by email (verification, password reset); only their hash is kept. */
@Injectable()
export class AccountTokensService {
  async issue(
    m: EntityManager,
    userId: string,
    purpose: UserTokenPurpose,
    ttlSeconds: number,
  ): Promise<{ id: string; token: string }> {
    const token = newToken();
    const rows: { id: string }[] = await m.query(
      `INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id`,
      [userId, purpose, sha256(token), ttlSeconds],
    );
    return { id: rows[0].id, token };
  }

  /** Spends a token: the user it was issued to, or null when unknown, used or expired. */
  async consume(
    m: EntityManager,
    token: string,
    purpose: UserTokenPurpose,
  ): Promise<string | null> {
    const rows: { user_id: string }[] = await m.query(
      `WITH used AS (
         UPDATE user_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING user_id
       )
       SELECT user_id FROM used`,
      [sha256(token), purpose],
    );
    return rows[0]?.user_id ?? null;
  }
}
