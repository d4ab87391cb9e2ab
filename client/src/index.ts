// A typed fetch client for the Creator Files API: paths, parameters, bodies and answers are
// checked against schema.d.ts, which `npm run client:generate` writes from openapi.json.
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** The response and request bodies by name, e.g. `Schemas['UserDto']`. */
export type Schemas = components['schemas'];

/** Every error answer: `{ statusCode, code, message, fields? }` with a stable upper-case `code`. */
export type ApiError = Schemas['ErrorDto'];

export type CreatorFilesClient = Client<paths>;

export interface CreatorFilesClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The API's address, e.g. `https://api.example.com`. */
  baseUrl: string;
  /** Read before every request; its value is sent as the bearer token when it returns one. */
  getToken?: () => string | null | undefined;
}

export function createCreatorFilesClient(options: CreatorFilesClientOptions): CreatorFilesClient {
  const { getToken, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = getToken?.();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}
