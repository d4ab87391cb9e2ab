import { createHmac, randomBytes } from 'node:crypto';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 JWT built by hand, so tests can make ones the app would never issue. */
export function signJwt(
  payload: Record<string, unknown>,
  secret: string | Buffer,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const head = `${b64(header)}.${b64(payload)}`;
  const signature = createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** A well-formed token for `sub` in session `sid`, signed with a secret the app does not know. */
export const forgedToken = (sub: string, role: string, sid: string) =>
  signJwt({ sub, role, sid, iat: now(), exp: now() + 3600 }, randomBytes(32));

/** A token signed with the app's own secret that expired an hour ago. */
export const expiredToken = (sub: string, role: string, sid: string, secret: string) =>
  signJwt({ sub, role, sid, iat: now() - 7200, exp: now() - 3600 }, secret);

/** A valid token for `sub` in session `sid`, as the app would issue it. */
export const validToken = (sub: string, role: string, sid: string, secret: string) =>
  signJwt({ sub, role, sid, iat: now(), exp: now() + 3600 }, secret);
