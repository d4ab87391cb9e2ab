import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAction, usePageTitle } from '../hooks';
import { type User, useSession } from '../session';

/** Where to go after signing in: the page that asked (same app only), or the role's home. */
export function nextPage(next: string | null, user: User): string {
  if (next !== null && next.startsWith('/') && !next.startsWith('//')) return next;
  return user.role === 'creator' ? '/dashboard' : '/';
}

export function SignInPage() {
  usePageTitle('Sign in');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const answer = await call(() => api.POST('/login', { body: { email, password } }));
      signIn(answer);
      await navigate(nextPage(params.get('next'), answer.user), { replace: true });
    });
  };

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link to="/reset-password">Forgot your password?</Link>
      </p>
      <p>
        New here?{' '}
        <Link to={`/sign-up${params.size > 0 ? `?${params.toString()}` : ''}`}>
          Create an account
        </Link>
      </p>
    </section>
  );
}
