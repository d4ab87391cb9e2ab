// Baseline: the floor for issuing a download link. A minimal NestJS app on Express whose one
// route does the same database round trips as GET /download/:productId with `pg` directly and
// nothing else: the token's HMAC, the caller's user row (with its session) by key, the access
// query, the log INSERT, and the link's HMAC. No guards, pipes, logging or validation library.
// With BENCH_FLOOR_PREPARED=1 its three statements are named prepared statements (planned once
// per connection), as the app's per-request statements are: the floor for the app's own work.
import 'reflect-metadata';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  Controller,
  ForbiddenException,
  Get,
  Headers,
  Module,
  NotFoundException,
  Param,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
});
const jwtSecret = Buffer.from(process.env.JWT_SECRET ?? '', 'utf8');
const linkSecret = Buffer.from(process.env.BENCH_LINK_SECRET ?? 'link secret', 'utf8');
const publicUrl = process.env.PUBLIC_URL ?? 'http://127.0.0.1';
const TTL = 60;
const prepared = process.env.BENCH_FLOOR_PREPARED === '1';

/** One statement's query config: named (prepared once per connection) when `prepared`. */
function statement(name: string, text: string, values: unknown[]): pg.QueryConfig {
  return prepared ? { name, text, values } : { text, values };
}

/** The HS256 JWT's claims when its signature holds and it has not expired. */
function verifyJwt(token: string): { sub: string; sid: string } | undefined {
  const [head, body, signature] = token.split('.');
  if (signature === undefined) return undefined;
  const expected = createHmac('sha256', jwtSecret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as {
    sub: string;
    sid: string;
    exp: number;
  };
  return claims.exp * 1000 > Date.now() ? claims : undefined;
}

@Controller()
class LinkController {
  @Get('download/:productId')
  async link(@Param('productId') productId: string, @Headers('authorization') auth = '') {
    const claims = verifyJwt(auth.replace(/^Bearer /, ''));
    if (claims === undefined) throw new UnauthorizedException();
    const users = await pool.query<{ id: string }>(
      statement(
        'user',
        `SELECT u.* FROM users u JOIN sessions s ON s.id = $2 AND s.user_id = u.id
           AND s.revoked_at IS NULL AND s.expires_at > now()
         WHERE u.id = $1`,
        [claims.sub, claims.sid],
      ),
    );
    const user = users.rows[0];
    if (user === undefined) throw new UnauthorizedException();
    const rows = await pool.query<{
      id: string;
      file_key: string;
      file_name: string;
      file_size: string;
      content_type: string;
      file_version: number;
      purchase_id: string | null;
      purchase_status: string | null;
    }>(
      statement(
        'access',
        `SELECT pr.id, pr.creator_id, pr.status, pr.file_key, pr.file_name, pr.file_size,
              pr.content_type, pr.file_version, pu.id AS purchase_id, pu.status AS purchase_status
       FROM products pr
       LEFT JOIN LATERAL (
         SELECT id, status FROM purchases
         WHERE buyer_id = $2 AND product_id = pr.id
         ORDER BY CASE status WHEN 'paid' THEN 0 WHEN 'disputed' THEN 1 WHEN 'refunded' THEN 2 ELSE 3 END,
                  created_at DESC
         LIMIT 1
       ) pu ON true
       WHERE pr.id = $1`,
        [productId, user.id],
      ),
    );
    const row = rows.rows[0];
    if (row === undefined) throw new NotFoundException();
    if (row.purchase_status !== 'paid') throw new ForbiddenException();
    const expiresAt = Math.ceil(Date.now() / 1000) + TTL;
    const payload = Buffer.from(
      JSON.stringify({
        v: 1,
        k: row.file_key,
        e: expiresAt,
        n: row.file_name,
        t: row.content_type,
      }),
    ).toString('base64url');
    const token = `${payload}.${createHmac('sha256', linkSecret).update(payload).digest('base64url')}`;
    await pool.query(
      statement(
        'log',
        `INSERT INTO downloads (user_id, product_id, purchase_id, file_version, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [user.id, row.id, row.purchase_id, row.file_version, '127.0.0.1', null],
      ),
    );
    return {
      url: `${publicUrl}/files/${token}`,
      expiresAt: new Date(expiresAt * 1000),
      expiresIn: TTL,
      filename: row.file_name,
      size: Number(row.file_size),
      contentType: row.content_type,
      version: row.file_version,
    };
  }

  @Get('ready')
  ready(): string {
    return 'ok';
  }
}

@Module({ controllers: [LinkController] })
class LinkModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(LinkModule, { logger: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.once('SIGTERM', () => void pool.end());
}

void main();
