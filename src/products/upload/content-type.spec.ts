import { describe, expect, it } from '@jest/globals';
import { detectContentType } from './content-type.js';

const bytes = (...values: (number | string)[]) =>
  Buffer.concat(
    values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))),
  );

describe(detectContentType.name, () => {
  it('trusts the magic numbers over the name', async () => {
    const png = bytes(0x89, 'PNG\r\n', 0x1a, '\n', 0, 0, 0, 13, 'IHDR', 0, 0, 0, 1, 0, 0, 0, 1);
    expect((await detectContentType(png, 'jpg')).contentType).toBe('image/png');
    expect((await detectContentType(Buffer.from('%PDF-1.7\n%âãÏÓ\n'), 'pdf')).contentType).toBe(
      'application/pdf',
    );
  });

  it('prefers the extension when the bytes only say "a zip file"', async () => {
    const zip = Buffer.concat([bytes('PK', 3, 4, 20, 0, 0, 0, 8, 0), Buffer.alloc(40)]);
    expect((await detectContentType(zip, 'docx')).contentType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });

  it('falls back to the extension, then to application/octet-stream', async () => {
    expect((await detectContentType(Buffer.from('a,b\n1,2\n'), 'csv')).contentType).toBe(
      'text/csv',
    );
    expect((await detectContentType(Buffer.from([1, 2, 3]), 'weird')).contentType).toBe(
      'application/octet-stream',
    );
  });

  it('names programs whatever their extension', async () => {
    const elf = Buffer.concat([bytes(0x7f, 'ELF', 2, 1, 1), Buffer.alloc(60)]);
    expect((await detectContentType(elf, 'pdf')).sniffed).toBe('application/x-elf');
  });
});
