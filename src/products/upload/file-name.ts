const MAX_FILE_NAME_BYTES = 255;
const FALLBACK_NAME = 'file';

// C0/C1 controls (NUL included), and bidirectional overrides that can disguise an extension.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// The only escapes browsers and Node's FormData put in a multipart file name (WHATWG HTML,
// "multipart/form-data encoding algorithm"): `"`, CR and LF. Any other `%xx` is the name as sent.
const FORM_DATA_ESCAPES = /%(22|0d|0a)/gi;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character or an emoji. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes) break;
    out += segment;
    bytes += size;
  }
  return out;
}

/**
 * The uploaded file's name as shown to people and put in Content-Disposition: its last path
 * component, without control characters, trimmed, at most 255 bytes of UTF-8 (the extension is
 * kept when the name is cut). Non-ASCII letters and emoji stay. It never becomes a storage path.
 */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').normalize('NFC').replace(UNSAFE_CHARACTERS, '').split(/[/\\]/).pop();
  // Leading and trailing dots and spaces are trimmed: Windows drops them, and ".." is no name.
  const name = (base ?? '').replace(/^[\s.]+|[\s.]+$/gu, '');
  if (name === '') return FALLBACK_NAME;
  if (Buffer.byteLength(name) <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = truncateUtf8(
    name.slice(0, name.length - extension.length),
    MAX_FILE_NAME_BYTES - Buffer.byteLength(extension),
  ).trimEnd();
  return stem === '' ? FALLBACK_NAME : `${stem}${extension}`;
}

/**
 * A file name from a multipart `filename="…"` parameter as the sender meant it: `%22`, `%0D`
 * and `%0A` (and only those) decoded. The CR and LF this gives back are then dropped by
 * cleanFileName like any other control character; the quote stays.
 */
export function decodeFormDataFileName(raw: string | undefined): string | undefined {
  return raw?.replace(FORM_DATA_ESCAPES, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/** The lower-case extension of a cleaned name ("report.PDF" → "pdf"), or '' when it has none. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
