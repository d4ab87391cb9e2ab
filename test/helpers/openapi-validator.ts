import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Response } from 'supertest';

/**
 * Checks every response the e2e suite receives against the committed openapi.json, as a
 * validating proxy in front of the app would: the operation exists, the status and the content
 * type are documented for it, and a JSON body matches the documented schema (JSON Schema, with
 * ajv). A mismatch fails the test that made the request, naming the method, path, status and
 * what did not match.
 */

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
        const pattern = new RegExp(
          `^${parts.map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`,
        );
        return { template, pattern, params: parts.length - 1, item };
      })
      // A literal path wins over a template that also matches it (/checkout/success).
      .sort((a, b) => a.params - b.params);
  }

  /** Throws a readable error when the response breaks the document. */
  check(method: string, url: string, res: Response): void {
    const path = new URL(url, 'http://localhost').pathname;
    const route = this.routes.find((r) => r.pattern.test(path));
    // Not a route of the API (a 404 for an unknown path, Swagger UI): nothing to compare.
    if (route === undefined) return;
    const where = `${method.toUpperCase()} ${route.template} (${path}) answered ${res.status}`;
    const operation = route.item[method.toLowerCase()];
    // A CORS preflight is answered by the CORS middleware for every route, not by an operation.
    if (operation === undefined && method.toLowerCase() === 'options') return;
    if (operation === undefined) {
      // Express answers a method a path does not have with a 404; nothing to document.
      if (res.status === 404) return;
      throw new Error(`${where}, but openapi.json documents no ${method.toUpperCase()} for it`);
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
    if (!hasBody) return;
    const key = Object.keys(media).find((m) => mediaMatches(m.toLowerCase(), contentType));
    if (key === undefined) {
      throw new Error(
        `${where} with Content-Type ${contentType}, which is not documented for ${res.status} ` +
          `(documented: ${Object.keys(media).join(', ') || 'no body'})${this.bodyHint(res)}`,
      );
    }
    const schema = media[key].schema;
    if (schema === undefined || !/json$/.test(contentType)) return;
    const validate = this.validator(`${method} ${route.template} ${res.status} ${key}`, schema);
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

  private bodyHint(res: Response): string {
    const text = JSON.stringify(res.body ?? res.text ?? '');
    return `\n  body: ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
  }
}

function bodyLength(res: Response): number {
  const length = Number(res.headers['content-length']);
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
