import type { Schemas } from '@creator-files/client';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, APP_URL, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { SalesReport } from '../components/SalesReport';
import { UploadForm } from '../components/UploadForm';
import { useAction, usePageTitle, useLoad } from '../hooks';
import { formatPrice } from '../money';
import { useUser } from '../session';

type Product = Schemas['ProductDto'];

const STATUS_LABELS: Record<Product['status'], string> = {
  published: 'On sale',
  unpublished: 'Hidden',
  archived: 'Archived',
};

const PAYOUT_STATUS: Record<Schemas['PayoutStatus'], string> = {
  not_started: 'Not set up: buyers cannot pay for your paid products yet.',
  pending: 'Your details are being verified by Stripe.',
  enabled: 'You are paid out for every sale.',
  restricted: 'Stripe needs more details before you can be paid out.',
};

/** Stripe Connect onboarding (connect mode); nothing to show when the shop pays out itself. */
function Payouts() {
  const [payouts] = useLoad(() => call(() => api.GET('/creator/payouts')), 'payouts');
  const { busy, error, run } = useAction();
  if (payouts.status === 'loading') return null;
  if (payouts.status === 'error') return <ErrorMessage error={payouts.error} />;
  const p = payouts.data;
  if (p.mode === 'platform') return null;
  const onboard = () =>
    run(async () => {
      const link = await call(() =>
        api.POST('/creator/payouts/onboarding', {
          body: { returnUrl: `${APP_URL}/dashboard`, refreshUrl: `${APP_URL}/dashboard` },
        }),
      );
      window.location.assign(link.url);
    });
  return (
    <section className="card" aria-labelledby="payouts-title">
      <h2 id="payouts-title">Payouts</h2>
      <p>{PAYOUT_STATUS[p.status]}</p>
      <ErrorMessage error={error} />
      {p.status !== 'enabled' && (
        <button type="button" className="primary" disabled={busy} onClick={() => void onboard()}>
          {p.status === 'not_started' ? 'Set up payouts with Stripe' : 'Continue with Stripe'}
        </button>
      )}
    </section>
  );
}

export function DashboardPage() {
  usePageTitle('Dashboard');
  const user = useUser();
  const [refreshKey, setRefreshKey] = useState(0);
  const [products, reload] = useLoad(
    () => call(() => api.GET('/creator/products', { params: { query: { limit: 100 } } })),
    'products',
  );

  return (
    <div className="dashboard">
      <h1>Dashboard</h1>
      <p className="byline">Signed in as {user?.displayName}</p>

      <Payouts />
      <SalesReport refreshKey={refreshKey} />

      <section aria-labelledby="products-title">
        <div className="section-header">
          <h2 id="products-title">Your products</h2>
          <button
            type="button"
            onClick={() => {
              reload();
              setRefreshKey((n) => n + 1);
            }}
          >
            Refresh
          </button>
        </div>
        {products.status === 'loading' && <p aria-live="polite">Loading your products…</p>}
        {products.status === 'error' && <ErrorMessage error={products.error} />}
        {products.status === 'ready' && products.data.items.length === 0 && (
          <p>Nothing on sale yet: upload your first file below.</p>
        )}
        {products.status === 'ready' && products.data.items.length > 0 && (
          <ul className="product-list">
            {products.data.items.map((product) => (
              <li key={product.id} className="card product-row">
                <div>
                  <h3>
                    <Link to={`/dashboard/products/${product.id}`}>{product.title}</Link>
                  </h3>
                  <p className="meta">
                    {formatPrice(product.priceCents, product.currency)} · version {product.version}{' '}
                    · {product.fileName}
                  </p>
                </div>
                <span className={`badge badge--${product.status}`}>
                  {STATUS_LABELS[product.status]}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card">
        <UploadForm onCreated={() => reload()} />
      </section>
    </div>
  );
}
