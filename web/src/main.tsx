import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { Layout } from './components/Layout';
import { RequireRole } from './components/RequireRole';
import { CataloguePage } from './pages/CataloguePage';
import { LibraryPage } from './pages/LibraryPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProductPage } from './pages/ProductPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { SignInPage } from './pages/SignInPage';
import { SignUpPage } from './pages/SignUpPage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';
import { SessionProvider } from './session';
import './styles.css';

// Creators' pages load on demand: a buyer's first catalogue load carries none of their code.
const DashboardPage = lazy(() =>
  import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage })),
);
const ProductEditPage = lazy(() =>
  import('./pages/ProductEditPage').then((m) => ({ default: m.ProductEditPage })),
);

const creatorPage = (page: React.ReactNode) => (
  <RequireRole role="creator">
    <Suspense fallback={<p aria-live="polite">Loading…</p>}>{page}</Suspense>
  </RequireRole>
);

const router = createBrowserRouter(
  [
    {
      element: <Layout />,
      children: [
        { index: true, element: <CataloguePage /> },
        { path: 'products/:id', element: <ProductPage /> },
        { path: 'sign-in', element: <SignInPage /> },
        { path: 'sign-up', element: <SignUpPage /> },
        { path: 'reset-password', element: <ResetPasswordPage /> },
        { path: 'verify-email', element: <VerifyEmailPage /> },
        {
          path: 'library',
          element: (
            <RequireRole role="buyer">
              <LibraryPage />
            </RequireRole>
          ),
        },
        { path: 'dashboard', element: creatorPage(<DashboardPage />) },
        { path: 'dashboard/products/:id', element: creatorPage(<ProductEditPage />) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: import.meta.env.BASE_URL.replace(/\/$/, '') },
);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  </StrictMode>,
);
