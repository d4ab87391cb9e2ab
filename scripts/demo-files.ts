// Small, valid files for the demo products, generated in memory so the repository holds no
// binaries: a one-page PDF, a ZIP, a TrueType font, a WAV loop and plain text.
import { crc32, deflateRawSync } from 'node:zlib';

/** Escapes text for a PDF string literal (Latin-1 only; the demo text is ASCII). */
const pdfText = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

/** A one-page A5 PDF with a title and a few lines of Helvetica, with a correct xref table. */
export function tinyPdf(title: string, lines: string[]): Buffer {
  const content = [
    'BT',
    '/F1 20 Tf 48 540 Td',
    `(${pdfText(title)}) Tj`,
    '/F1 11 Tf 16 TL 0 -16 Td',
    ...lines.map((line) => `T* (${pdfText(line)}) Tj`),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title (${pdfText(title)}) /Producer (Creator Files demo seed) >>`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  // Each xref entry is exactly 20 bytes, the end of line included.
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\n`;
  pdf += `startxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A ZIP archive (deflated entries, UTF-8 names) built in memory. */
export function zipArchive(entries: { name: string; content: Buffer | string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  // 2025-01-01 12:00 in MS-DOS date and time.
  const dosTime = 12 << 11;
  const dosDate = ((2025 - 1980) << 9) | (1 << 5) | 1;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content);
    const packed = deflateRawSync(data);
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A mono 8-bit WAV: one bar of a 90 BPM drum loop (kick, snare, hats), about 21 KB. */
export function drumLoopWav(bpm = 90, sampleRate = 8000): Buffer {
  const beat = Math.round((60 / bpm) * sampleRate);
  const samples = new Float64Array(beat * 4);
  // A fixed-seed generator, so the file is the same on every run.
  let seed = 0x2545f491;
  const noise = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) / 0xffffffff) * 2 - 1;
  };
  const add = (start: number, length: number, sample: (t: number, i: number) => number) => {
    for (let i = 0; i < length && start + i < samples.length; i++) {
      samples[start + i] += sample(i / sampleRate, i);
    }
  };
  for (let b = 0; b < 4; b++) {
    const at = b * beat;
    if (b % 2 === 0) {
      // Kick: a sine falling from 120 to 50 Hz.
      add(
        at,
        beat / 2,
        (t) => Math.sin(2 * Math.PI * (50 * t + 35 * (1 - Math.exp(-t * 20)))) * Math.exp(-t * 9),
      );
    } else {
      add(at, beat / 3, (t) => noise() * 0.6 * Math.exp(-t * 18));
    }
    // Hats on the off-beats.
    add(at + beat / 2, beat / 8, (t) => noise() * 0.25 * Math.exp(-t * 60));
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate, 28); // bytes per second
  header.writeUInt16LE(1, 32); // block align
  header.writeUInt16LE(8, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length, 40);
  const data = Buffer.alloc(samples.length);
  samples.forEach((s, i) => (data[i] = Math.round(128 + 127 * Math.max(-1, Math.min(1, s)))));
  return Buffer.concat([header, data]);
}

/**
 * A TrueType font in which every letter and digit is a solid block (a "redaction" face): the
 * smallest font that installs and renders everywhere, with correct table checksums.
 */
export function blockFont(family: string): Buffer {
  const em = 1000;
  const advance = 600;
  // Code points, in order of glyph id from 2; glyph 0 is .notdef and 1 is the space.
  const ranges: [number, number][] = [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ];
  const blocks = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  const numGlyphs = 2 + blocks;
  const block = (height: number) => {
    const g = Buffer.alloc(10 + 2 + 2 + 4 + 16);
    g.writeInt16BE(1, 0);
    g.writeInt16BE(50, 2);
    g.writeInt16BE(0, 4);
    g.writeInt16BE(550, 6);
    g.writeInt16BE(height, 8);
    g.writeUInt16BE(3, 10); // last point of the only contour
    g.writeUInt16BE(0, 12); // no instructions
    g.fill(0x01, 14, 18); // four on-curve points, 16-bit deltas
    // Clockwise: (50,0) (50,h) (550,h) (550,0).
    [50, 0, 500, 0].forEach((dx, i) => g.writeInt16BE(dx, 18 + i * 2));
    [0, height, 0, -height].forEach((dy, i) => g.writeInt16BE(dy, 26 + i * 2));
    return g;
  };
  const glyphs: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
  for (const [a, b] of ranges) {
    // Lower-case letters are shorter blocks, so text keeps its shape.
    for (let c = a; c <= b; c++) glyphs.push(block(c >= 0x61 ? 500 : 700));
  }
  const loca = Buffer.alloc((numGlyphs + 1) * 4);
  let at = 0;
  glyphs.forEach((g, i) => {
    loca.writeUInt32BE(at, i * 4);
    at += g.length;
  });
  loca.writeUInt32BE(at, numGlyphs * 4);
  const glyf = Buffer.concat(glyphs);

  const head = Buffer.alloc(54);
  head.writeUInt32BE(0x00010000, 0);
  head.writeUInt32BE(0x00010000, 4);
  head.writeUInt32BE(0x5f0f3cf5, 12);
  head.writeUInt16BE(0x000b, 16);
  head.writeUInt16BE(em, 18);
  // created and modified (seconds since 1904) stay 0
  head.writeInt16BE(50, 36);
  head.writeInt16BE(0, 38);
  head.writeInt16BE(550, 40);
  head.writeInt16BE(700, 42);
  head.writeUInt16BE(8, 46);
  head.writeInt16BE(2, 48);
  head.writeInt16BE(1, 50); // long loca offsets

  const hhea = Buffer.alloc(36);
  hhea.writeUInt32BE(0x00010000, 0);
  hhea.writeInt16BE(800, 4);
  hhea.writeInt16BE(-200, 6);
  hhea.writeUInt16BE(advance, 10);
  hhea.writeInt16BE(0, 12);
  hhea.writeInt16BE(50, 14);
  hhea.writeInt16BE(550, 16);
  hhea.writeInt16BE(1, 18);
  hhea.writeUInt16BE(numGlyphs, 34);

  const maxp = Buffer.alloc(32);
  maxp.writeUInt32BE(0x00010000, 0);
  maxp.writeUInt16BE(numGlyphs, 4);
  maxp.writeUInt16BE(4, 6);
  maxp.writeUInt16BE(1, 8);
  maxp.writeUInt16BE(2, 14);

  const hmtx = Buffer.alloc(numGlyphs * 4);
  for (let i = 0; i < numGlyphs; i++) {
    hmtx.writeUInt16BE(advance, i * 4);
    hmtx.writeInt16BE(i < 2 ? 0 : 50, i * 4 + 2);
  }

  const os2 = Buffer.alloc(96);
  os2.writeUInt16BE(4, 0);
  os2.writeInt16BE(advance, 2);
  os2.writeUInt16BE(400, 4);
  os2.writeUInt16BE(5, 6);
  os2.writeUInt32BE(1, 42); // Basic Latin
  os2.write('DEMO', 58, 'ascii');
  os2.writeUInt16BE(0x40, 62); // regular
  os2.writeUInt16BE(0x20, 64);
  os2.writeUInt16BE(0x7a, 66);
  os2.writeInt16BE(800, 68);
  os2.writeInt16BE(-200, 70);
  os2.writeUInt16BE(800, 74);
  os2.writeUInt16BE(200, 76);
  os2.writeUInt32BE(1, 78); // Latin 1 code page
  os2.writeInt16BE(500, 86);
  os2.writeInt16BE(700, 88);
  os2.writeUInt16BE(0x20, 92);

  // cmap format 4: one segment per range, each mapped by a delta, plus the closing 0xFFFF.
  const segments: { start: number; end: number; delta: number }[] = [
    { start: 0x20, end: 0x20, delta: 1 - 0x20 },
  ];
  let glyphId = 2;
  for (const [a, b] of ranges) {
    segments.push({ start: a, end: b, delta: glyphId - a });
    glyphId += b - a + 1;
  }
  segments.push({ start: 0xffff, end: 0xffff, delta: 1 });
  const segCount = segments.length;
  const searchRange = 2 * 2 ** Math.floor(Math.log2(segCount));
  const format4 = Buffer.alloc(16 + segCount * 8);
  format4.writeUInt16BE(4, 0);
  format4.writeUInt16BE(format4.length, 2);
  format4.writeUInt16BE(segCount * 2, 6);
  format4.writeUInt16BE(searchRange, 8);
  format4.writeUInt16BE(Math.log2(searchRange / 2), 10);
  format4.writeUInt16BE(segCount * 2 - searchRange, 12);
  segments.forEach((s, i) => {
    format4.writeUInt16BE(s.end, 14 + i * 2);
    format4.writeUInt16BE(s.start, 16 + segCount * 2 + i * 2);
    format4.writeUInt16BE((s.delta + 0x10000) % 0x10000, 16 + segCount * 4 + i * 2);
    // idRangeOffset stays 0
  });
  const cmapHeader = Buffer.alloc(12);
  cmapHeader.writeUInt16BE(1, 2);
  cmapHeader.writeUInt16BE(3, 4);
  cmapHeader.writeUInt16BE(1, 6);
  cmapHeader.writeUInt32BE(12, 8);
  const cmap = Buffer.concat([cmapHeader, format4]);

  const postscriptName = family.replace(/[^A-Za-z0-9]/g, '') + '-Regular';
  const names: [number, string][] = [
    [0, 'Generated by the Creator Files demo seed; free to use.'],
    [1, family],
    [2, 'Regular'],
    [3, `${postscriptName};1.000`],
    [4, `${family} Regular`],
    [5, 'Version 1.000'],
    [6, postscriptName],
  ];
  const strings = names.map(([, text]) => Buffer.from(text, 'utf16le').swap16());
  const nameHeader = Buffer.alloc(6 + names.length * 12);
  nameHeader.writeUInt16BE(names.length, 2);
  nameHeader.writeUInt16BE(nameHeader.length, 4);
  let stringAt = 0;
  names.forEach(([id], i) => {
    const r = 6 + i * 12;
    nameHeader.writeUInt16BE(3, r);
    nameHeader.writeUInt16BE(1, r + 2);
    nameHeader.writeUInt16BE(0x409, r + 4);
    nameHeader.writeUInt16BE(id, r + 6);
    nameHeader.writeUInt16BE(strings[i].length, r + 8);
    nameHeader.writeUInt16BE(stringAt, r + 10);
    stringAt += strings[i].length;
  });
  const name = Buffer.concat([nameHeader, ...strings]);

  const post = Buffer.alloc(32);
  post.writeUInt32BE(0x00030000, 0);
  post.writeInt16BE(-100, 8);
  post.writeInt16BE(50, 10);
  post.writeUInt32BE(1, 12); // monospaced

  const tables: [string, Buffer][] = (
    [
      ['OS/2', os2],
      ['cmap', cmap],
      ['glyf', glyf],
      ['head', head],
      ['hhea', hhea],
      ['hmtx', hmtx],
      ['loca', loca],
      ['maxp', maxp],
      ['name', name],
      ['post', post],
    ] as [string, Buffer][]
  ).sort(([a], [b]) => (a < b ? -1 : 1));
  const checksum = (data: Buffer) => {
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    let sum = 0;
    for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
    return sum;
  };
  const n = tables.length;
  const entrySearch = 16 * 2 ** Math.floor(Math.log2(n));
  const directory = Buffer.alloc(12 + n * 16);
  directory.writeUInt32BE(0x00010000, 0);
  directory.writeUInt16BE(n, 4);
  directory.writeUInt16BE(entrySearch, 6);
  directory.writeUInt16BE(Math.log2(entrySearch / 16), 8);
  directory.writeUInt16BE(n * 16 - entrySearch, 10);
  const bodies: Buffer[] = [];
  let offset = directory.length;
  tables.forEach(([tag, data], i) => {
    const r = 12 + i * 16;
    directory.write(tag, r, 'ascii');
    directory.writeUInt32BE(checksum(data), r + 4);
    directory.writeUInt32BE(offset, r + 8);
    directory.writeUInt32BE(data.length, r + 12);
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    bodies.push(padded);
    offset += padded.length;
  });
  const font = Buffer.concat([directory, ...bodies]);
  // head.checkSumAdjustment makes the whole file sum to 0xB1B0AFBA.
  const headOffset = directory.readUInt32BE(12 + tables.findIndex(([t]) => t === 'head') * 16 + 8);
  font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headOffset + 8);
  return font;
}
