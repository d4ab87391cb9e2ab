import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signDownloadToken, verifyDownloadToken, type DownloadGrant } from './download-token.js';

const secret = randomBytes(32);
const now = Date.UTC(2030, 0, 1);
const grant = (key = 'creator/product/object'): DownloadGrant => ({
  key,
  expiresAt: now / 1000 + 60,
  filename: 'Café "quoted".pdf',
  contentType: 'application/pdf',
});
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

describe('download tokens', () => {
  it('verifies its own token and returns the grant', () => {
    const token = signDownloadToken(grant(), secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyDownloadToken(token, secret, now)).toEqual({ valid: true, grant: grant() });
  });

  it('refuses a token altered in any single character', () => {
    const token = signDownloadToken(grant(), secret);
    for (let i = 0; i < token.length; i += 1) {
      for (const c of ALPHABET) {
        if (c === token[i]) continue;
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        expect({ i, c, result: verifyDownloadToken(altered, secret, now) }).toEqual({
          i,
          c,
          result: { valid: false, reason: 'invalid' },
        });
      }
    }
  });

  it('refuses truncated, extended and malformed tokens', () => {
    const token = signDownloadToken(grant(), secret);
    for (const bad of [
      '',
      '.',
      token.slice(0, -1),
      `${token}A`,
      `${token}.`,
      token.replace('.', ''),
      `${token.split('.')[0]}.`,
      `.${token.split('.')[1]}`,
      token.replace('.', '..'),
      `${token} `,
      'x'.repeat(10000),
    ]) {
      expect(verifyDownloadToken(bad, secret, now)).toEqual({ valid: false, reason: 'invalid' });
    }
  });

  it('refuses a token signed with another secret', () => {
    const token = signDownloadToken(grant(), randomBytes(32));
    expect(verifyDownloadToken(token, secret, now)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('never lets a token for key A serve key B', () => {
    const a = signDownloadToken(grant('creator/product/a'), secret);
    const b = signDownloadToken(grant('creator/product/b'), secret);
    const [payloadA] = a.split('.');
    const [, signatureB] = b.split('.');
    expect(verifyDownloadToken(`${payloadA}.${signatureB}`, secret, now).valid).toBe(false);
    const verified = verifyDownloadToken(a, secret, now);
    expect(verified.valid && verified.grant.key).toBe('creator/product/a');
  });

  it('says expired at and after the expiry, and only for authentic tokens', () => {
    const token = signDownloadToken(grant(), secret);
    expect(verifyDownloadToken(token, secret, now + 59_999).valid).toBe(true);
    expect(verifyDownloadToken(token, secret, now + 60_000)).toEqual({
      valid: false,
      reason: 'expired',
    });
    const forged = signDownloadToken(grant(), randomBytes(32));
    expect(verifyDownloadToken(forged, secret, now + 120_000)).toEqual({
      valid: false,
      reason: 'invalid',
    });
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    const payload = Buffer.from(JSON.stringify({ v: 2, k: 'a', e: 1, n: 'x', t: 'y' })).toString(
      'base64url',
    );
    const signature = createHmac('sha256', secret).update(payload).digest('base64url');
    expect(verifyDownloadToken(`${payload}.${signature}`, secret, now)).toEqual({
      valid: false,
      reason: 'invalid',
    });
  });
});
