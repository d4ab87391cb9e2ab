import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useSession } from '../session';

export function Layout() {
  const { state, signOut } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After a client-side navigation, move focus to the new page so screen readers and keyboard
  // users start at its content (a full page load does this by itself).
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  const user = state.status === 'signed-in' ? state.user : null;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Creator Files
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Catalogue
              </NavLink>
            </li>
            {user?.role === 'buyer' && (
              <li>
                <NavLink to="/library">Library</NavLink>
              </li>
            )}
            {user?.role === 'creator' && (
              <li>
                <NavLink to="/dashboard">Dashboard</NavLink>
              </li>
            )}
            {state.status === 'signed-out' && (
              <>
                <li>
                  <NavLink to="/sign-in">Sign in</NavLink>
                </li>
                <li>
                  <NavLink to="/sign-up">Sign up</NavLink>
                </li>
              </>
            )}
            {user !== null && (
              <li>
                <button type="button" className="link-button" onClick={() => void signOut()}>
                  Sign out <span className="visually-hidden">{user.displayName}</span>
                </button>
              </li>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          Files are sold directly by their creators. <a href="/docs">API documentation</a>
        </p>
      </footer>
    </>
  );
}
