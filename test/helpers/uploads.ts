import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestApp } from './test-app.js';

export type Part =
  | { name: string; value: string }
  | {
      name: string;
      filename: string;
      content: Buffer;
      contentType?: string;
      /** Sent as an RFC 5987 `filename*` (percent-encoded UTF-8) instead of `filename`. */
      encoded?: boolean;
    };

/**
 * A multipart/form-data body written byte by byte, so tests control what supertest's form-data
 * would tidy up (path components, NUL, quotes in file names, part order).
 */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----test${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escape(part.name)}"`;
    if ('filename' in part) {
      head += part.encoded
        ? `; filename*=UTF-8''${encodeURIComponent(part.filename)}`
        : `; filename="${escape(part.filename)}"`;
      head += `\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'));
    chunks.push('filename' in part ? part.content : Buffer.from(part.value, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Every file under DATA_DIR/storage, temporary ones included (paths relative to it). */
export function storedFiles(t: TestApp): string[] {
  const root = join(t.dataDir, 'storage');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

export async function countProducts(t: TestApp): Promise<number> {
  const rows: { n: number }[] = await t.dataSource.query('SELECT count(*)::int AS n FROM products');
  return rows[0].n;
}

export const pdf = (text = 'hello') => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);

/** Polls until `check` passes or the time is up (for effects that finish after a response). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
