// Characters that must never reach a file name: C0/C1 controls (CR, LF, NUL...), line and
// paragraph separators, and bidi controls (used to disguise "gpj.exe" as "exe.jpg").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const COMBINING_MARK = /\p{M}/gu;
// In the quoted ASCII fallback: only printable ASCII without the quote, backslash (quoted-pair
// escapes that some clients mishandle), percent (some decode it) and path separators.
const NOT_FALLBACK_SAFE = /[^\x20-\x7e]|["\\%/]/gu;
// RFC 5987 attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; encodeURIComponent leaves '()* as is.
const NOT_ATTR_CHAR = /['()*]/g;

const DEFAULT_NAME = 'download';

/** The file name with everything that could break a header or mislead a user removed. */
export function cleanDownloadName(filename: string): string {
  const cleaned = String(filename)
    .replace(LONE_SURROGATE, '')
    .replace(UNSAFE, '')
    .normalize('NFC')
    .trim();
  return cleaned === '' ? DEFAULT_NAME : cleaned;
}

/** An ASCII stand-in for clients that ignore `filename*`: accents dropped, the rest as `_`. */
export function asciiFallbackName(filename: string): string {
  const ascii = cleanDownloadName(filename)
    .normalize('NFKD')
    .replace(COMBINING_MARK, '')
    .replace(NOT_FALLBACK_SAFE, '_')
    .trim();
  return ascii === '' ? DEFAULT_NAME : ascii;
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    NOT_ATTR_CHAR,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 and 5987).
 * Whatever the name holds, the result is printable ASCII with no quote or newline to escape.
 */
export function contentDisposition(
  filename: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  const name = cleanDownloadName(filename);
  return `${type}; filename="${asciiFallbackName(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
