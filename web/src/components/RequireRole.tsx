import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { useSession, type User } from '../session';

/** Shows `children` to a signed-in user of this role; sends everyone else where they belong. */
export function RequireRole({ role, children }: { role: User['role']; children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <p aria-live="polite">Checking your session…</p>;
  if (state.status === 'signed-out') {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  if (state.user.role !== role) {
    return (
      <section>
        <h1>{role === 'creator' ? 'For creators' : 'For buyers'}</h1>
        <p>
          {role === 'creator'
            ? 'This page is for creator accounts. You are signed in as a buyer.'
            : 'This page is for buyer accounts. You are signed in as a creator.'}{' '}
          <Link to="/">Back to the catalogue</Link>
        </p>
      </section>
    );
  }
  return children;
}
