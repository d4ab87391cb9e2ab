// Signing in and reading the account from a browser app (Vite, Next.js, plain ES modules...).
// The API must list the app's origin in CORS_ORIGINS.
import { createCreatorFilesClient, type ApiError, type Schemas } from '../src/index.js';

let token: string | null = sessionStorage.getItem('creator-files-token');

const api = createCreatorFilesClient({
  baseUrl: 'http://localhost:3000',
  getToken: () => token,
});

export async function signIn(email: string, password: string): Promise<Schemas['UserDto']> {
  const { data, error } = await api.POST('/login', { body: { email, password } });
  if (error) throw new Error(describe(error));
  token = data.access_token;
  sessionStorage.setItem('creator-files-token', token);
  return data.user;
}

export async function currentUser(): Promise<Schemas['UserDto'] | null> {
  const { data, error, response } = await api.GET('/me');
  if (response.status === 401) return null;
  if (error) throw new Error(describe(error));
  return data;
}

function describe(error: ApiError): string {
  // `code` is stable (INVALID_CREDENTIALS, RATE_LIMITED, VALIDATION_FAILED...): branch on it,
  // show `message` to people.
  return `${error.code}: ${error.message}`;
}
