import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { asciiFallbackName, cleanDownloadName, contentDisposition } from './content-disposition.js';

const HEADER =
  /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9%!#$&+\-.^_`|~]*)$/;

function parse(header: string): { fallback: string; name: string } {
  const match = HEADER.exec(header);
  if (match === null) throw new Error(`Unexpected header ${header}`);
  return { fallback: match[1], name: decodeURIComponent(match[2]) };
}

describe('contentDisposition', () => {
  it.each([
    ['report.pdf', 'report.pdf', 'report.pdf'],
    ['my file.pdf', 'my file.pdf', 'my file.pdf'],
    ['say "hi".txt', 'say _hi_.txt', 'say "hi".txt'],
    ['a&b;c,d.zip', 'a&b;c,d.zip', 'a&b;c,d.zip'],
    ['back\\slash.txt', 'back_slash.txt', 'back\\slash.txt'],
    ['100%.txt', '100_.txt', '100%.txt'],
    ["it's (1)*.txt", "it's (1)*.txt", "it's (1)*.txt"],
    ['Café crème.pdf', 'Cafe creme.pdf', 'Café crème.pdf'],
    ['Привет.epub', '______.epub', 'Привет.epub'],
    ['日本語.zip', '___.zip', '日本語.zip'],
    ['🎵 beat.mp3', '_ beat.mp3', '🎵 beat.mp3'],
    ['../../etc/passwd', '.._.._etc_passwd', '../../etc/passwd'],
  ])('%s', (input, fallback, name) => {
    const header = contentDisposition(input);
    expect(parse(header)).toEqual({ fallback, name });
  });

  it('percent-encodes what RFC 5987 does not allow bare', () => {
    expect(contentDisposition("it's (1)*.txt")).toContain(
      "filename*=UTF-8''it%27s%20%281%29%2A.txt",
    );
    expect(contentDisposition('🎵.mp3')).toContain("filename*=UTF-8''%F0%9F%8E%B5.mp3");
  });

  it('removes CR, LF, NUL and other controls so nothing can be injected', () => {
    const header = contentDisposition('evil\r\nSet-Cookie: a=b\u0000.txt');
    expect(header).not.toMatch(/[\r\n\0]/);
    expect(parse(header).name).toBe('evilSet-Cookie: a=b.txt');
  });

  it('removes bidi overrides that disguise an extension', () => {
    expect(cleanDownloadName('photo\u202egpj.exe')).toBe('photogpj.exe');
  });

  it('falls back to "download" for an empty or all-control name', () => {
    expect(parse(contentDisposition('')).name).toBe('download');
    expect(parse(contentDisposition('\r\n\t ')).name).toBe('download');
    expect(asciiFallbackName('\u0000')).toBe('download');
  });

  it('survives lone surrogates (encodeURIComponent would throw)', () => {
    expect(parse(contentDisposition('a\ud800b.txt')).name).toBe('ab.txt');
  });

  it('keeps any name intact in filename* and safe in the header (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 80 }), (input) => {
        const header = contentDisposition(input);
        expect(header).toMatch(/^[\x20-\x7e]+$/);
        const parsed = parse(header);
        expect(parsed.name).toBe(cleanDownloadName(input));
        expect(parsed.fallback).not.toMatch(/["\\%/]/);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (input) => {
        expect(contentDisposition(input)).toMatch(HEADER);
      }),
      { numRuns: 500 },
    );
  });
});
