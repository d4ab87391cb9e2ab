import { Link, useSearchParams } from 'react-router';
import { api, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { usePageTitle, useLoad } from '../hooks';

// A verification token works once: one request per token for the page's life, even when React
// runs the effect twice (StrictMode in development).
const verifications = new Map<string, Promise<undefined>>();

function verify(token: string): Promise<undefined> {
  let pending = verifications.get(token);
  if (pending === undefined) {
    pending = call(() => api.POST('/email/verify', { body: { token } }));
    verifications.set(token, pending);
  }
  return pending;
}

/** The link in the welcome email lands here: the token is sent once, on arrival. */
export function VerifyEmailPage() {
  usePageTitle('Verify your email');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [result] = useLoad(() => verify(token), token);
  return (
    <section className="narrow">
      <h1>Verify your email</h1>
      {result.status === 'loading' && <p aria-live="polite">Checking the link…</p>}
      {result.status === 'error' && <ErrorMessage error={result.error} />}
      {result.status === 'ready' && (
        <p className="notice notice--success" role="status">
          Thank you: your email address is confirmed.
        </p>
      )}
      <p>
        <Link to="/">Go to the catalogue</Link>
      </p>
    </section>
  );
}
