import type { Schemas } from '@creator-files/client';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { SalesReport } from '../components/SalesReport';
import { UploadForm } from '../components/UploadForm';
import { usePageTitle, useLoad } from '../hooks';
import { formatPrice } from '../money';
import { useUser } from '../session';

type Product = Schemas['ProductDto'];

const STATUS_LABELS: Record<Product['status'], string> = {
  published: 'On sale',
  unpublished: 'Hidden',
  archived: 'Archived',
};

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
