import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../api';
import { ErrorMessage, fieldInvalid } from '../components/ErrorMessage';
import { useAction, usePageTitle } from '../hooks';
import { useSession } from '../session';
import { nextPage } from './SignInPage';

export function SignUpPage() {
  usePageTitle('Create an account');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [role, setRole] = useState<'buyer' | 'creator'>(
    params.get('role') === 'creator' ? 'creator' : 'buyer',
  );
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { email, password, displayName: displayName.trim() || undefined };
    void run(async () => {
      const answer = await call(() =>
        role === 'creator'
          ? api.POST('/register/creator', { body })
          : api.POST('/register/buyer', { body }),
      );
      signIn(answer);
      await navigate(nextPage(params.get('next'), answer.user), { replace: true });
    });
  };

  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <form onSubmit={submit}>
        <fieldset className="choices">
          <legend>I want to</legend>
          <label>
            <input
              type="radio"
              name="role"
              value="buyer"
              checked={role === 'buyer'}
              onChange={() => setRole('buyer')}
            />{' '}
            buy files
          </label>
          <label>
            <input
              type="radio"
              name="role"
              value="creator"
              checked={role === 'creator'}
              onChange={() => setRole('creator')}
            />{' '}
            sell my files
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            aria-invalid={fieldInvalid(error, 'email') || undefined}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={72}
            aria-describedby="password-hint"
            aria-invalid={fieldInvalid(error, 'password') || undefined}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <p id="password-hint" className="hint">
            At least 8 characters.
          </p>
        </div>
        <div className="field">
          <label htmlFor="displayName">
            {role === 'creator' ? 'Shop name' : 'Your name'}{' '}
            <span className="hint">(optional)</span>
          </label>
          <input
            id="displayName"
            autoComplete={role === 'creator' ? 'organization' : 'name'}
            maxLength={100}
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account?{' '}
        <Link to={`/sign-in${params.size > 0 ? `?${params.toString()}` : ''}`}>Sign in</Link>
      </p>
    </section>
  );
}
