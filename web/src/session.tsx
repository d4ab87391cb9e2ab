import type { Schemas } from '@creator-files/client';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, call, session } from './api';

export type User = Schemas['UserDto'];

export type SessionState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; user: User };

interface SessionContextValue {
  state: SessionState;
  /** Keeps the token an answer of /login or /register/... carries, and its user. */
  signIn: (answer: Schemas['TokenDto']) => void;
  signOut: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() =>
    session.token === null ? { status: 'signed-out' } : { status: 'loading' },
  );

  useEffect(() => {
    let current = true;
    // A token kept from before a reload: ask who it belongs to (a 401 ends the session).
    if (session.token !== null) {
      call(() => api.GET('/me')).then(
        (user) => current && setState({ status: 'signed-in', user }),
        () => current && setState({ status: 'signed-out' }),
      );
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
    session.start(answer.access_token);
    setState({ status: 'signed-in', user: answer.user });
  }, []);

  const signOut = useCallback(() => {
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
