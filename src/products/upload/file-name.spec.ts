import { describe, expect, it } from '@jest/globals';
import { cleanFileName, decodeFormDataFileName, fileExtension } from './file-name.js';

describe(cleanFileName.name, () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd.txt', 'passwd.txt'],
    ['C:\\Users\\ada\\book.epub', 'book.epub'],
    ['a\u0000b.pdf', 'ab.pdf'],
    ['line\r\nbreak.pdf', 'linebreak.pdf'],
    ['  spaced name .pdf  ', 'spaced name .pdf'],
    ['"quoted" & more.zip', '"quoted" & more.zip'],
    ['Élan vital – 日本語.pdf', 'Élan vital – 日本語.pdf'],
    ['🎨 presets 👩‍🎨.zip', '🎨 presets 👩‍🎨.zip'],
    ['evil\u202Efdp.exe', 'evilfdp.exe'],
    ['..', 'file'],
    ['../', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['\u0000\u0001', 'file'],
  ])('%j → %j', (raw, expected) => {
    expect(cleanFileName(raw)).toBe(expected);
  });

  it('keeps names to 255 bytes of UTF-8 without splitting a character, keeping the extension', () => {
    const name = cleanFileName(`${'😀'.repeat(100)}.pdf`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith('.pdf')).toBe(true);
    expect(name).toBe(`${'😀'.repeat(62)}.pdf`);
    expect(cleanFileName('a'.repeat(300))).toBe('a'.repeat(255));
  });

  it('composes decomposed accents (NFC) so one name has one form', () => {
    expect(cleanFileName('Cafe\u0301.pdf')).toBe('Café.pdf');
  });
});

describe(fileExtension.name, () => {
  it.each([
    ['book.EPUB', 'epub'],
    ['archive.tar.gz', 'gz'],
    ['noextension', ''],
    ['.pdf', ''],
  ])('%s → %j', (name, expected) => {
    expect(fileExtension(name)).toBe(expected);
  });
});

describe(decodeFormDataFileName.name, () => {
  it.each([
    ['Résumé %22final%22.pdf', 'Résumé "final".pdf'],
    ['line%0D%0Abreak.pdf', 'line\r\nbreak.pdf'],
    ['lower %0d%0a %22.pdf', 'lower \r\n ".pdf'],
    // Every other escape is the name as the creator typed it.
    ['100%25 done %20 %27.pdf', '100%25 done %20 %27.pdf'],
    ['%2F..%2Fetc.pdf', '%2F..%2Fetc.pdf'],
    ['%00nul.pdf', '%00nul.pdf'],
    [undefined, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(decodeFormDataFileName(raw)).toBe(expected);
  });

  it('gives cleanFileName the quote back and lets it drop CR and LF', () => {
    expect(cleanFileName(decodeFormDataFileName('Résumé %22final%22.pdf'))).toBe(
      'Résumé "final".pdf',
    );
    expect(cleanFileName(decodeFormDataFileName('two%0D%0Alines.pdf'))).toBe('twolines.pdf');
  });
});
