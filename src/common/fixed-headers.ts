import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** What a middleware does to every answer alike: headers it sets, headers it removes. */
export interface FixedHeaders {
  set: [name: string, value: string | number | readonly string[]][];
  removed: string[];
}

/**
 * Runs `middleware` once against a response that only records, and returns the headers it set
 * and removed: for a middleware whose headers never depend on the request, such as helmet with
 * fixed directives. Twelve middlewares chained per request become one loop over the same
 * headers. Anything else it might do (read the request, answer, fail, call `next` later) is
 * refused here, at start-up, rather than silently dropped.
 */
export function recordFixedHeaders(middleware: Middleware): FixedHeaders {
  const recorded: FixedHeaders = { set: [], removed: [] };
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded.set.push([name, value]);
      return this;
    },
    removeHeader(name: string) {
      recorded.removed.push(name);
    },
  };
  const request = new Proxy({} as IncomingMessage, {
    get(_target, property) {
      throw new Error(`the middleware read req.${String(property)}: its headers are not fixed`);
    },
  });
  let done = false;
  middleware(request, response as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined)
      throw error instanceof Error ? error : new Error('next() with an error');
    done = true;
  });
  if (!done) throw new Error('the middleware did not call next() at once');
  return recorded;
}

/** Sets recorded headers on an answer, in the order the middleware set them. */
export function applyFixedHeaders(res: ServerResponse, headers: FixedHeaders): void {
  for (let i = 0; i < headers.set.length; i++) res.setHeader(headers.set[i][0], headers.set[i][1]);
  for (let i = 0; i < headers.removed.length; i++) res.removeHeader(headers.removed[i]);
}
