import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { usePageTitle, usePagedList } from '../hooks';
import { formatPrice } from '../money';

type Sort = 'newest' | 'price_asc' | 'price_desc';
const SORTS: Record<Sort, string> = {
  newest: 'Newest first',
  price_asc: 'Price, low to high',
  price_desc: 'Price, high to low',
};
const PAGE_SIZE = 12;

export function CataloguePage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const sortParam = params.get('sort');
  const sort: Sort = sortParam !== null && sortParam in SORTS ? (sortParam as Sort) : 'newest';
  const list = usePagedList(
    (cursor) =>
      call(() =>
        api.GET('/products', {
          params: { query: { q: q || undefined, sort, limit: PAGE_SIZE, cursor } },
        }),
      ),
    `${q}\n${sort}`,
  );
  usePageTitle(q ? `Search: ${q}` : 'Catalogue');

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const field = new FormData(event.currentTarget).get('q');
    const typed = typeof field === 'string' ? field.trim() : '';
    const next = new URLSearchParams(params);
    if (typed) next.set('q', typed);
    else next.delete('q');
    setParams(next);
  };

  const items = list.items ?? [];
  return (
    <section aria-labelledby="catalogue-title">
      <h1 id="catalogue-title">{q ? `Results for “${q}”` : 'Catalogue'}</h1>
      <form role="search" className="search" onSubmit={search} key={q}>
        <div className="field">
          <label htmlFor="q">Search products</label>
          <input id="q" name="q" type="search" defaultValue={q} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="sort">Sort by</label>
          <select
            id="sort"
            value={sort}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              next.set('sort', event.target.value);
              setParams(next);
            }}
          >
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>

      <ErrorMessage error={list.error} />
      <p className="status" aria-live="polite">
        {list.loading
          ? 'Loading products…'
          : items.length === 0 && list.error === null
            ? q
              ? 'Nothing matches this search yet.'
              : 'Nothing is on sale yet.'
            : `${items.length} ${items.length === 1 ? 'product' : 'products'} shown${list.hasMore ? ', more below' : ''}.`}
      </p>
      <ul className="product-grid">
        {items.map((product) => (
          <li key={product.id} className="card product-card">
            <h2>
              <Link to={`/products/${product.id}`}>{product.title}</Link>
            </h2>
            <p className="byline">by {product.creator.displayName}</p>
            {product.description && <p className="excerpt">{product.description}</p>}
            <p className="price">{formatPrice(product.priceCents, product.currency)}</p>
            {!product.purchasable && <p className="hint">Not for sale right now</p>}
          </li>
        ))}
      </ul>
      {list.hasMore && (
        <button type="button" disabled={list.loading} onClick={list.loadMore}>
          {list.loading ? 'Loading…' : 'Show more products'}
        </button>
      )}
    </section>
  );
}
