import { describe, expect, it } from '@jest/globals';
import { cleanFileName, fileExtension } from './file-name.js';

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
