import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiFailure, APP_URL, call } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { rememberCheckout } from '../checkout';
import { useAction, usePageTitle, useLoad } from '../hooks';
import { formatPrice, formatSize } from '../money';
import { useSession } from '../session';
import { NotFoundPage } from './NotFoundPage';

export function ProductPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { state } = useSession();
  const [product] = useLoad(
    () => call(() => api.GET('/products/{id}', { params: { path: { id } } })),
    id,
  );
  const { busy: buying, error, run } = useAction();
  usePageTitle(product.status === 'ready' ? product.data.title : 'Product');

  if (product.status === 'loading') return <p aria-live="polite">Loading the product…</p>;
  if (product.status === 'error') {
    if (product.error instanceof ApiFailure && [400, 404].includes(product.error.status)) {
      return <NotFoundPage />;
    }
    return <ErrorMessage error={product.error} />;
  }
  const p = product.data;
  const price = formatPrice(p.priceCents, p.currency);

  const buy = () =>
    run(async () => {
      const start = (urls: boolean) =>
        call(() =>
          api.POST('/purchase/{productId}', {
            params: { path: { productId: p.id } },
            body: urls
              ? {
                  // The payment page sends the buyer back to the library, which waits for `paid`.
                  successUrl: `${APP_URL}/library?session_id={CHECKOUT_SESSION_ID}`,
                  cancelUrl: `${APP_URL}/products/${p.id}?checkout=cancelled`,
                }
              : {},
          }),
        );
      let checkout;
      try {
        checkout = await start(true);
      } catch (failure) {
        // This address is not PUBLIC_URL nor in CORS_ORIGINS: the API's own pages will do.
        if (!(failure instanceof ApiFailure && failure.code === 'REDIRECT_NOT_ALLOWED')) {
          throw failure;
        }
        checkout = await start(false);
      }
      if (checkout.checkoutUrl === null) {
        // A free product is paid at once: straight to the library.
        await navigate(`/library?purchase=${checkout.purchaseId}`);
        return;
      }
      rememberCheckout(checkout.sessionId, checkout.purchaseId);
      window.location.assign(checkout.checkoutUrl);
    });

  let action;
  if (state.status === 'signed-out') {
    const next = encodeURIComponent(location.pathname);
    action = (
      <p>
        <Link className="button" to={`/sign-in?next=${next}`}>
          Sign in to buy
        </Link>{' '}
        or <Link to={`/sign-up?next=${next}`}>create an account</Link>
      </p>
    );
  } else if (state.status === 'signed-in' && state.user.role === 'creator') {
    action = <p className="hint">Sign in with a buyer account to buy this.</p>;
  } else if (!p.purchasable) {
    action = <p className="hint">Not for sale right now: the creator cannot take payments yet.</p>;
  } else {
    action = (
      <button type="button" className="primary" disabled={buying} onClick={() => void buy()}>
        {buying
          ? 'Starting checkout…'
          : p.priceCents === 0
            ? 'Get it for free'
            : `Buy for ${price}`}
      </button>
    );
  }

  return (
    <article className="product">
      <p>
        <Link to="/">← Back to the catalogue</Link>
      </p>
      <h1>{p.title}</h1>
      <p className="byline">by {p.creator.displayName}</p>
      <p className="price price--large">{price}</p>
      {params.get('checkout') === 'cancelled' && (
        <p className="notice" role="status">
          Checkout was cancelled. Nothing was charged.
        </p>
      )}
      <ErrorMessage error={error} />
      {error instanceof ApiFailure && error.code === 'ALREADY_OWNED' && (
        <p>
          <Link to="/library">Go to your library</Link>
        </p>
      )}
      {action}
      {p.description && <p className="description">{p.description}</p>}
      <dl className="facts">
        <dt>File</dt>
        <dd>{p.fileName}</dd>
        <dt>Size</dt>
        <dd>{formatSize(p.size)}</dd>
        <dt>Version</dt>
        <dd>{p.version}</dd>
        <dt>Updated</dt>
        <dd>{new Date(p.updatedAt).toLocaleDateString()}</dd>
      </dl>
    </article>
  );
}
