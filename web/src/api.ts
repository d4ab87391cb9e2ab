// The one way the app talks to the API: the typed client (openapi-fetch on client/), the
// session (a short access token in memory, renewed once on a 401 with the refresh cookie), and
// API errors turned into ApiFailure with a human message.
import { createCreatorFilesClient, type ApiError, type Schemas } from '@creator-files/client';
import { messageFor, NETWORK_MESSAGE } from './errors';

/** The API's origin: the page's own when the API serves the app at /app/ (VITE_API_URL otherwise). */
export const API_URL = (import.meta.env.VITE_API_URL as string | undefined) ?? '';

/** Where the app lives, for links that leave and come back (checkout): e.g. http://host/app */
export const APP_URL = `${window.location.origin}${import.meta.env.BASE_URL.replace(/\/$/, '')}`;

/** Every key the app keeps in sessionStorage starts with this. */
export const STORAGE_PREFIX = 'creator-files.';
// Not a secret: only whether this browser signed in, so a visitor who never did is not sent to
// POST /refresh (a 401) on every page load. The refresh token itself is an HttpOnly cookie.
const SIGNED_IN_KEY = `${STORAGE_PREFIX}signed-in`;

// The access token lives in memory only: a reload gets a fresh one from the refresh cookie.
let token: string | null = null;
const listeners = new Set<() => void>();

export type TokenAnswer = Schemas['TokenDto'];

export const session = {
  get token(): string | null {
    return token;
  },
  start(answer: TokenAnswer): void {
    token = answer.access_token;
    localStorage.setItem(SIGNED_IN_KEY, '1');
    listeners.forEach((listener) => listener());
  },
  /** Forgets the token and everything else this tab kept for the session (open checkouts). */
  end(): void {
    token = null;
    localStorage.removeItem(SIGNED_IN_KEY);
    for (const name of Object.keys(sessionStorage)) {
      if (name.startsWith(STORAGE_PREFIX)) sessionStorage.removeItem(name);
    }
    listeners.forEach((listener) => listener());
  },
  /** Whether a refresh cookie may exist (this browser signed in and did not sign out). */
  get mayResume(): boolean {
    return localStorage.getItem(SIGNED_IN_KEY) !== null;
  },
  /** Called when the session starts or ends (a failed refresh ends it): returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export const api = createCreatorFilesClient({ baseUrl: API_URL, getToken: () => token });

export interface FieldError {
  field: string;
  errors: string[];
}

/** An API error answer (or no answer at all: status 0, code NETWORK) with a message for people. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** An error answer (status, headers, JSON body) as ApiFailure: for clients other than `call`. */
export function failure(response: Response, body: unknown): ApiFailure {
  const error = (typeof body === 'object' && body !== null ? body : {}) as Partial<ApiError>;
  const code = typeof error.code === 'string' ? error.code : 'INTERNAL';
  let message = messageFor(code);
  const retryAfter = Number(response.headers.get('Retry-After'));
  if (code === 'RATE_LIMITED' && retryAfter > 0) {
    message = `Too many attempts. Please try again in ${retryAfter} seconds.`;
  }
  return new ApiFailure(response.status, code, message, error.fields ?? []);
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

let renewing: Promise<TokenAnswer | null> | null = null;

/**
 * Exchanges the refresh cookie for a new token pair (POST /refresh). One at a time: in this tab
 * through a shared promise, across tabs through a Web Lock, since the refresh token is single-use
 * and the API ends the whole session when one is presented twice. A tab that waited sends the
 * cookie its predecessor just rotated. Resolves null when there is no session to resume.
 */
export function renewSession(): Promise<TokenAnswer | null> {
  const refresh = async (): Promise<TokenAnswer | null> => {
    try {
      const { data } = await api.POST('/refresh', { body: {} });
      if (data !== undefined) {
        session.start(data);
        return data;
      }
    } catch {
      // no answer: treated as no session; the next call asks again
    }
    if (token !== null || session.mayResume) session.end();
    return null;
  };
  renewing ??= (
    'locks' in navigator ? navigator.locks.request(`${STORAGE_PREFIX}refresh`, refresh) : refresh()
  ).finally(() => {
    renewing = null;
  });
  return renewing;
}

/**
 * Runs one call of the typed client and returns its data, or throws ApiFailure. A 401 while
 * signed in means the access token has ended: the session is renewed once and the call repeated.
 */
export async function call<T>(send: () => Promise<Result<T>>): Promise<T> {
  const attempt = async () => {
    try {
      return await send();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiFailure(0, 'NETWORK', NETWORK_MESSAGE);
    }
  };
  let result = await attempt();
  if (result.response.status === 401 && token !== null && (await renewSession()) !== null) {
    result = await attempt();
  }
  if (!result.response.ok) throw failure(result.response, result.error);
  return result.data as T;
}

/** A file answer of the API (the sales CSV) as a Blob, with the name the API suggests. */
export async function fetchFile(
  path: string,
  accept: string,
): Promise<{ blob: Blob; filename: string | null }> {
  const attempt = async () => {
    try {
      return await fetch(`${API_URL}${path}`, {
        headers: {
          Accept: accept,
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        },
      });
    } catch {
      throw new ApiFailure(0, 'NETWORK', NETWORK_MESSAGE);
    }
  };
  let response = await attempt();
  if (response.status === 401 && token !== null && (await renewSession()) !== null) {
    response = await attempt();
  }
  if (!response.ok) throw failure(response, await response.json().catch(() => null));
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
  return { blob: await response.blob(), filename };
}
