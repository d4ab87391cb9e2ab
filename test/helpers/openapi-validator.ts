import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Checks every response the app gives in the e2e suite against the committed openapi.json, as a
 * validating proxy in front of the app would: the operation exists, the status and the content
 * type are documented for it, and a JSON body matches the documented schema (JSON Schema, with
 * ajv). `watchResponses` hooks the check into the app's HTTP server, so it sees every answer
 * whatever sent the request (supertest, fetch, the typed client, tus-js-client, a raw socket, a
 * browser); a mismatch fails the test during which it was answered (test/setup-after-env.ts),
 * naming the method, path, status and what did not match.
 */

/** What the check reads of a response (a supertest Response has these too). */
export interface CheckedResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The parsed JSON body, if any. */
  body?: unknown;
  /** The body as text (when it was kept). */
  text?: string;
  /** How many bytes of body were sent, where known. */
  size?: number;
}

interface MediaObject {
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  content?: Record<string, MediaObject>;
}
interface OperationObject {
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, unknown> };
}

const DOCUMENT_ID = 'openapi.json';

// Paths the app serves that are not the API: the storefront, its redirect, Swagger UI.
const OUTSIDE_API = /^\/(?:$|app(?:\/|$)|docs(?:\/|-json$|$))/;

// ajv-formats is CommonJS with a default export; under ESM it may arrive wrapped once more.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

/** OpenAPI 3.0 `nullable` is not JSON Schema: `type: [t, 'null']`, or anyOf with null. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // `example(s)` are documentation; their values are not schemas.
    out[key] = key === 'example' || key === 'examples' ? value : toJsonSchema(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string' && out.$ref === undefined) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  if (typeof out.$ref === 'string' && out.$ref.startsWith('#/')) {
    out.$ref = `${DOCUMENT_ID}${out.$ref}`;
  }
  return out;
}

interface Route {
  template: string;
  pattern: RegExp;
  params: number;
  item: Record<string, OperationObject>;
}

class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // Swagger's binary strings (file bodies) carry no constraint a validator could check.
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ components: toJsonSchema(document.components ?? {}) }, DOCUMENT_ID);
    this.routes = Object.entries(document.paths)
      .map(([template, item]) => {
        const parts = template.split(/\{[^}]+\}/);
        // As Express routes: a trailing slash and the letters' case do not matter.
        const pattern = new RegExp(
          `^${parts.map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`,
          'i',
        );
        return { template, pattern, params: parts.length - 1, item };
      })
      // A literal path wins over a template that also matches it (/checkout/success).
      .sort((a, b) => a.params - b.params);
  }

  /**
   * Throws a readable error when the response breaks the document. Answers `outside` for a path
   * that is not the API's (the storefront, Swagger UI), which the document does not describe.
   */
  check(method: string, url: string, res: CheckedResponse): 'checked' | 'outside' {
    // The path as sent, as Express matches it: not through URL, which would resolve `%2e%2e`.
    const path = url.replace(/[?#].*$/s, '');
    const route = this.routes.find((r) => r.pattern.test(path));
    if (route === undefined) {
      if (OUTSIDE_API.test(path)) return 'outside';
      // Any other path is not a route: the app answers 404 in the error shape, and only that.
      this.expectNotFound(method, `${method.toUpperCase()} ${path} answered ${res.status}`, res);
      return 'checked';
    }
    const where = `${method.toUpperCase()} ${route.template} (${path}) answered ${res.status}`;
    const operation = route.item[method.toLowerCase()];
    if (operation === undefined) {
      // A CORS preflight is answered by the CORS middleware for every route, not by an operation.
      if (method.toLowerCase() === 'options' && res.status < 300) return 'checked';
      // Express answers a method a path does not have with a 404 (in the error shape).
      this.expectNotFound(
        method,
        `${where}, but openapi.json documents no ${method.toUpperCase()} for it`,
        res,
      );
      return 'checked';
    }
    const documented =
      operation.responses[String(res.status)] ??
      operation.responses[`${String(res.status)[0]}XX`] ??
      operation.responses.default;
    if (documented === undefined) {
      throw new Error(
        `${where}: status ${res.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})` +
          this.bodyHint(res),
      );
    }
    const contentType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const media = documented.content ?? {};
    const hasBody = method.toUpperCase() !== 'HEAD' && contentType !== '' && bodyLength(res) > 0;
    if (!hasBody) return 'checked';
    const key = Object.keys(media).find((m) => mediaMatches(m.toLowerCase(), contentType));
    if (key === undefined) {
      throw new Error(
        `${where} with Content-Type ${contentType}, which is not documented for ${res.status} ` +
          `(documented: ${Object.keys(media).join(', ') || 'no body'})${this.bodyHint(res)}`,
      );
    }
    const schema = media[key].schema;
    if (schema === undefined || !/json$/.test(contentType)) return 'checked';
    const validate = this.validator(`${method} ${route.template} ${res.status} ${key}`, schema);
    this.expectBody(where, validate, res);
    return 'checked';
  }

  private expectNotFound(method: string, where: string, res: CheckedResponse): void {
    if (res.status !== 404) {
      throw new Error(`${where}: not a route of openapi.json, yet not a 404${this.bodyHint(res)}`);
    }
    // An answer to HEAD has no body to check.
    if (method.toUpperCase() === 'HEAD') return;
    const validate = this.validator('not found', { $ref: '#/components/schemas/ErrorDto' });
    this.expectBody(where, validate, res);
  }

  private expectBody(where: string, validate: ValidateFunction, res: CheckedResponse): void {
    if (!validate(res.body)) {
      throw new Error(
        `${where}: the body does not match the documented schema: ${describe(validate.errors)}` +
          this.bodyHint(res),
      );
    }
  }

  private validator(id: string, schema: Record<string, unknown>): ValidateFunction {
    let validate = this.compiled.get(id);
    if (validate === undefined) {
      validate = this.ajv.compile(toJsonSchema(schema) as object);
      this.compiled.set(id, validate);
    }
    return validate;
  }

  private bodyHint(res: CheckedResponse): string {
    const text = JSON.stringify(res.body ?? res.text ?? '');
    return `\n  body: ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
  }
}

function bodyLength(res: CheckedResponse): number {
  if (res.size !== undefined) return res.size;
  const header = res.headers['content-length'];
  const length = header === undefined ? NaN : Number(header);
  if (Number.isFinite(length)) return length;
  if (typeof res.text === 'string') return res.text.length;
  return Buffer.isBuffer(res.body) ? res.body.length : 1;
}

function mediaMatches(documented: string, actual: string): boolean {
  if (documented === actual || documented === '*/*') return true;
  const [type, subtype] = documented.split('/');
  return subtype === '*' && actual.startsWith(`${type}/`);
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('; ');
}

let shared: OpenApiValidator | undefined;

/** The validator for the committed openapi.json (read once per test file). */
export function openApiValidator(): OpenApiValidator {
  shared ??= new OpenApiValidator(
    JSON.parse(readFileSync(join(process.cwd(), 'openapi.json'), 'utf8')) as OpenApiDocument,
  );
  return shared;
}

/**
 * What the checks found in this test file so far, kept on globalThis: the hook of a server and
 * the hooks of the test file (test/setup-after-env.ts) see the same, whichever module instance
 * imported it.
 */
interface Findings {
  checked: number;
  outside: number;
  violations: string[];
}
const FINDINGS = Symbol.for('creator-files.openapi-findings');

export function findings(): Findings {
  const holder = globalThis as { [FINDINGS]?: Findings };
  holder[FINDINGS] ??= { checked: 0, outside: 0, violations: [] };
  return holder[FINDINGS];
}

/** The mismatches found since the last call (the hook after each test fails the test with them). */
export function takeViolations(): string[] {
  return findings().violations.splice(0);
}

// JSON answers are small; a larger body (a file, a CSV export) is not kept, only its headers.
const KEPT_BYTES = 1024 * 1024;

/**
 * Checks every response `server` sends against openapi.json, whoever asked. It listens before the
 * app does, keeps the request line as it arrived (Express rewrites `req.url` under mounts) and
 * the bytes written (a JSON body up to KEPT_BYTES), and checks once the response is finished.
 * A response cut short (the client left) is not checked: it was never a whole answer.
 */
export function watchResponses(server: Server): void {
  const validator = openApiValidator();
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const chunks: Buffer[] = [];
    let size = 0;
    let keep: boolean | undefined;
    const collect = (chunk: unknown, encoding: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const bytes = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.from(chunk as Uint8Array);
      size += bytes.length;
      keep ??= /json/i.test(String(res.getHeader('content-type') ?? ''));
      if (keep && size > KEPT_BYTES) keep = false;
      if (keep) chunks.push(bytes);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      collect(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      collect(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.once('finish', () => {
      const found = findings();
      const headers = res.getHeaders() as CheckedResponse['headers'];
      const text = keep === true ? Buffer.concat(chunks).toString('utf8') : undefined;
      try {
        let body: unknown;
        if (text !== undefined && text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            throw new Error(
              `${method} ${url} answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`,
            );
          }
        }
        const answer = { status: res.statusCode, headers, body, text, size };
        const result = validator.check(method, url, answer);
        if (result === 'outside') found.outside += 1;
        else found.checked += 1;
      } catch (error) {
        found.checked += 1;
        found.violations.push((error as Error).message);
      }
    });
  });
}

/**
 * fetch, with the answer checked against openapi.json like those of a watched server: for an app
 * in another process (the built app the SIGKILL test starts), whose server no hook can reach.
 */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const method = (init.method ?? 'GET').toUpperCase();
  const text = await res.clone().text();
  const headers = Object.fromEntries(res.headers.entries());
  const found = findings();
  const { pathname, search } = new URL(url);
  try {
    let body: unknown;
    if (/json/i.test(headers['content-type'] ?? '') && text !== '') body = JSON.parse(text);
    const answer = { status: res.status, headers, body, text, size: Buffer.byteLength(text) };
    if (openApiValidator().check(method, `${pathname}${search}`, answer) === 'outside') {
      found.outside += 1;
    } else found.checked += 1;
  } catch (error) {
    found.checked += 1;
    found.violations.push((error as Error).message);
  }
  return res;
}
