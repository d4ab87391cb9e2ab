import type { Schemas } from '@creator-files/client';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, call, renewSession, session } from './api';

export type User = Schemas['UserDto'];

export type SessionState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; user: User };

interface SessionContextValue {
  state: SessionState;
  /** Keeps the token an answer of /login or /register/... carries, and its user. */
  signIn: (answer: Schemas['TokenDto']) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() =>
    session.mayResume ? { status: 'loading' } : { status: 'signed-out' },
  );

  useEffect(() => {
    let current = true;
    // After a reload: the refresh cookie gives a new access token and names the account.
    if (session.mayResume && session.token === null) {
      void renewSession().then((answer) => {
        if (current)
          setState(answer ? { status: 'signed-in', user: answer.user } : { status: 'signed-out' });
      });
    }
    const unsubscribe = session.subscribe(() => {
      if (session.token === null) setState({ status: 'signed-out' });
    });
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);

  const signIn = useCallback((answer: Schemas['TokenDto']) => {
    session.start(answer);
    setState({ status: 'signed-in', user: answer.user });
  }, []);

  const signOut = useCallback(async () => {
    // Ends the session on the server too (its refresh and access tokens), then here.
    await call(() => api.POST('/logout')).catch(() => undefined);
    session.end();
  }, []);

  return (
    <SessionContext.Provider value={{ state, signIn, signOut }}>{children}</SessionContext.Provider>
  );
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user, or null (also while the session is being checked). */
export function useUser(): User | null {
  const { state } = useSession();
  return state.status === 'signed-in' ? state.user : null;
}
