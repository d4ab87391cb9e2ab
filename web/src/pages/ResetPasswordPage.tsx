import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAction, usePageTitle } from '../hooks';

/** Without a token: ask for the email with the link. With one (from the email): a new password. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  usePageTitle(token ? 'Choose a new password' : 'Reset your password');
  return token ? <NewPasswordForm token={token} /> : <ForgotForm />;
}

function ForgotForm() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction({ reusable: true });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await call(() => api.POST('/password/forgot', { body: { email } }));
      setSent(true);
    });
  };
  return (
    <section className="narrow">
      <h1>Reset your password</h1>
      {sent ? (
        <p className="notice notice--success" role="status">
          If an account uses {email}, a link to choose a new password is on its way. It works once,
          for 30 minutes.
        </p>
      ) : (
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
          <ErrorMessage error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Email me a link'}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </section>
  );
}

function NewPasswordForm({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction({ reusable: true });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await call(() => api.POST('/password/reset', { body: { token, newPassword: password } }));
      setDone(true);
    });
  };
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <p className="notice notice--success" role="status">
          Your password is changed and every session was signed out.{' '}
          <Link to="/sign-in">Sign in with the new password</Link>
        </p>
      ) : (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={72}
              aria-describedby="new-password-hint"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <p id="new-password-hint" className="hint">
              At least 8 characters.
            </p>
          </div>
          <ErrorMessage error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save the new password'}
          </button>
        </form>
      )}
    </section>
  );
}
