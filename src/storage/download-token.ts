import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a local download link grants: one object, until a time, under a name and type. */
export interface DownloadGrant {
  key: string;
  /** Expiry, unix seconds. */
  expiresAt: number;
  filename: string;
  contentType: string;
}

export type VerifiedToken =
  { valid: true; grant: DownloadGrant } | { valid: false; reason: 'invalid' | 'expired' };

interface WirePayload {
  v: 1;
  k: string;
  e: number;
  n: string;
  t: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

const mac = (payload: string, secret: Buffer): string =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** `base64url(JSON payload).base64url(HMAC-SHA256(secret, first part))`. */
export function signDownloadToken(grant: DownloadGrant, secret: Buffer): string {
  const wire: WirePayload = {
    v: 1,
    k: grant.key,
    e: grant.expiresAt,
    n: grant.filename,
    t: grant.contentType,
  };
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

function isWirePayload(value: unknown): value is WirePayload {
  const p = value as Partial<WirePayload> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    p.v === 1 &&
    typeof p.k === 'string' &&
    typeof p.n === 'string' &&
    typeof p.t === 'string' &&
    typeof p.e === 'number' &&
    Number.isSafeInteger(p.e)
  );
}

/**
 * Checks the signature before anything else, so an expired answer is only ever given for a
 * token this server issued. The MAC is compared as its canonical text: base64url decoding
 * ignores the spare bits of the last character, and a token altered there must still fail.
 */
export function verifyDownloadToken(
  token: string,
  secret: Buffer,
  nowMs: number = Date.now(),
): VerifiedToken {
  const invalid = { valid: false, reason: 'invalid' } as const;
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return invalid;
  const parts = token.split('.');
  if (parts.length !== 2) return invalid;
  const [payload, signature] = parts;
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return invalid;
  const expected = Buffer.from(mac(payload, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (!isWirePayload(wire)) return invalid;
  if (nowMs >= wire.e * 1000) return { valid: false, reason: 'expired' };
  return {
    valid: true,
    grant: { key: wire.k, expiresAt: wire.e, filename: wire.n, contentType: wire.t },
  };
}
