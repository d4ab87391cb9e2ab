import type { IncomingMessage } from 'node:http';

/**
 * The deepest nesting a JSON body may have. The app's own bodies are flat objects and Stripe's
 * events nest under ten levels; 50,000 nested arrays (100 kB) cost V8's JSON.parse about 70 ms
 * and overflow the stack of class-transformer, which recurses over what was parsed.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * The most object keys and array elements a body may hold, all levels together (a form's fields
 * count too). A Stripe event holds a few hundred; each unknown key of a DTO costs a validation
 * error, so 25,000 keys in 100 kB would cost as much as a deep body.
 */
export const MAX_BODY_VALUES = 5000;

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const AMPERSAND = 0x26;

/** An error body-parser passes on with its status and type; the exception filter maps it. */
export class BodyShapeError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const tooComplex = () =>
  new BodyShapeError(
    400,
    'entity.too.complex',
    `The body may nest at most ${MAX_BODY_DEPTH} levels and hold at most ${MAX_BODY_VALUES} values`,
  );

/**
 * Measures a UTF-8 JSON text's nesting and number of values in one pass over its bytes, before
 * it is parsed: nothing recurses and nothing is allocated. In UTF-8 the bytes of brackets,
 * commas, quotes and backslashes never occur inside a multi-byte character, so a byte scan that
 * skips strings sees exactly the JSON structure. Malformed text is left to JSON.parse.
 */
export function checkJsonShape(body: Buffer): void {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    switch (byte) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_ARRAY:
      case OPEN_OBJECT:
        // The container itself and its first member each count once.
        if (++depth > MAX_BODY_DEPTH || (values += 2) > MAX_BODY_VALUES) throw tooComplex();
        break;
      case CLOSE_ARRAY:
      case CLOSE_OBJECT:
        depth--;
        break;
      case COMMA:
        if (++values > MAX_BODY_VALUES) throw tooComplex();
        break;
      default:
        break;
    }
  }
}

/** A form body (`a=1&b=2`, flat: nested keys are not parsed) may hold MAX_BODY_VALUES fields. */
export function checkFormShape(body: Buffer): void {
  let fields = 1;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === AMPERSAND && ++fields > MAX_BODY_VALUES) throw tooComplex();
  }
}

type Verify = (
  req: IncomingMessage & { rawBody?: Buffer },
  res: unknown,
  body: Buffer,
  encoding: string,
) => void;

/**
 * body-parser's `verify` for JSON: keeps the raw bytes (the Stripe webhook's signature covers
 * them) and refuses a body whose shape is out of bounds before JSON.parse runs. JSON between
 * systems is UTF-8 (RFC 8259, section 8.1): other charsets are refused (415).
 */
export const verifyJson: Verify = (req, _res, body, encoding) => {
  req.rawBody = body;
  if (encoding.toLowerCase() !== 'utf-8' && encoding.toLowerCase() !== 'utf8') {
    throw new BodyShapeError(415, 'charset.unsupported', 'JSON bodies must be UTF-8');
  }
  checkJsonShape(body);
};

/** body-parser's `verify` for forms: keeps the raw bytes and bounds the number of fields. */
export const verifyForm: Verify = (req, _res, body) => {
  req.rawBody = body;
  checkFormShape(body);
};
