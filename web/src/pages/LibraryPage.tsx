import type { Schemas } from '@creator-files/client';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../api';
import { checkoutPurchase } from '../checkout';
import { ErrorMessage } from '../components/ErrorMessage';
import { usePageTitle, usePagedList } from '../hooks';
import { formatMoney, formatSize } from '../money';

type Item = Schemas['LibraryItemDto'];
type Purchase = Schemas['PurchaseDto'];

// Every second at first (most payments are confirmed by then), then every 5 s, up to about
// 3 minutes: well inside the API's PAYMENT_REQUESTS_PER_MINUTE for one buyer.
const pollDelay = (attempt: number) => (attempt < 10 ? 1000 : 5000);
const POLL_LIMIT = 40;

/**
 * Back from checkout: the success-page pattern. The purchase is asked for until it is no longer
 * pending (each GET re-checks the checkout with the payment provider).
 */
function useCheckoutOutcome(purchaseId: string | null, onPaid: () => void) {
  const [purchase, setPurchase] = useState<Purchase | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    if (purchaseId === null) return;
    let stopped = false;
    let timer: number | undefined;
    const poll = async (attempt: number) => {
      try {
        const current = await call(() =>
          api.GET('/purchases/{id}', { params: { path: { id: purchaseId } } }),
        );
        if (stopped) return;
        setPurchase(current);
        if (current.status === 'paid') onPaid();
        if (current.status !== 'pending') return;
      } catch (failure) {
        if (stopped) return;
        setError(failure);
        return;
      }
      if (attempt >= POLL_LIMIT) setGaveUp(true);
      else timer = window.setTimeout(() => void poll(attempt + 1), pollDelay(attempt));
    };
    void poll(1);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
    // onPaid only reloads the list
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [purchaseId]);
  return { purchase, error, gaveUp };
}

function CheckoutBanner({ outcome }: { outcome: ReturnType<typeof useCheckoutOutcome> }) {
  const { purchase, error, gaveUp } = outcome;
  if (error !== null) return <ErrorMessage error={error} />;
  let text: string;
  switch (purchase?.status) {
    case undefined:
    case 'pending':
      text = gaveUp
        ? 'Your payment is still being confirmed. It appears here as soon as it is; you can leave this page.'
        : 'Confirming your payment…';
      break;
    case 'paid':
      text = `Thank you! ${purchase.product.title} is yours. Download it below.`;
      break;
    case 'failed':
      text =
        'The payment did not go through. Nothing was charged; you can try again from the product page.';
      break;
    case 'expired':
      text = 'The checkout expired before it was paid. You can start again from the product page.';
      break;
    case 'refunded':
      text = 'This purchase has been refunded.';
      break;
    case 'disputed':
      text = 'This payment is disputed, so the download is paused.';
      break;
  }
  return (
    <div className={`notice${purchase?.status === 'paid' ? ' notice--success' : ''}`} role="status">
      <p>{text}</p>
      {purchase !== null && purchase.status !== 'paid' && purchase.status !== 'pending' && (
        <p>
          <Link to={`/products/${purchase.product.id}`}>Back to {purchase.product.title}</Link>
        </p>
      )}
    </div>
  );
}

function accessNote(item: Item): string | null {
  if (item.hasAccess) return null;
  switch (item.status) {
    case 'refunded':
      return 'Refunded: the download has ended.';
    case 'disputed':
      return 'Disputed payment: the download is paused.';
    case 'paid':
    case 'pending':
    case 'failed':
    case 'expired':
      return 'Not available for download.';
  }
}

export function LibraryPage() {
  usePageTitle('Your library');
  const [params] = useSearchParams();
  const sessionId = params.get('session_id');
  const purchaseId = params.get('purchase') ?? (sessionId ? checkoutPurchase(sessionId) : null);
  const list = usePagedList(
    (cursor) => call(() => api.GET('/mypurchases', { params: { query: { limit: 20, cursor } } })),
    'library',
  );
  const [downloadError, setDownloadError] = useState<{ id: string; error: unknown } | null>(null);
  const [downloading, setDownloading] = useState<string | null>(null);
  const outcome = useCheckoutOutcome(purchaseId, list.reload);
  const items = list.items;

  const download = async (item: Item) => {
    setDownloading(item.product.id);
    setDownloadError(null);
    try {
      const link = await call(() =>
        api.GET('/download/{productId}', { params: { path: { productId: item.product.id } } }),
      );
      // The link is valid for a minute and answers with Content-Disposition: attachment.
      window.location.assign(link.url);
    } catch (failure) {
      setDownloadError({ id: item.product.id, error: failure });
    } finally {
      setDownloading(null);
    }
  };

  return (
    <section>
      <h1>Your library</h1>
      {sessionId !== null && purchaseId === null && (
        <p className="notice" role="status">
          Thank you! Your purchase appears below as soon as the payment is confirmed.
        </p>
      )}
      {purchaseId !== null && <CheckoutBanner outcome={outcome} />}
      <ErrorMessage error={list.error} />
      {items === null && <p aria-live="polite">Loading your library…</p>}
      {items !== null && items.length === 0 && (
        <p>
          Nothing here yet. <Link to="/">Find something in the catalogue</Link>.
        </p>
      )}
      {items !== null && items.length > 0 && (
        <ul className="library">
          {items.map((item) => {
            const note = accessNote(item);
            return (
              <li key={item.purchaseId} className="card library-item">
                <div>
                  <h2>
                    <Link to={`/products/${item.product.id}`}>{item.product.title}</Link>
                    {item.updateAvailable && item.hasAccess && (
                      <span className="badge badge--update">Update available</span>
                    )}
                  </h2>
                  <p className="byline">by {item.product.creator.displayName}</p>
                  <p className="meta">
                    {item.product.fileName} · {formatSize(item.product.size)} · version{' '}
                    {item.version} · paid {formatMoney(item.amountCents, item.currency)} on{' '}
                    {new Date(item.paidAt).toLocaleDateString()}
                  </p>
                  {note !== null && <p className="hint">{note}</p>}
                  {downloadError?.id === item.product.id && (
                    <ErrorMessage error={downloadError.error} />
                  )}
                </div>
                <button
                  type="button"
                  className="primary"
                  disabled={!item.hasAccess || downloading === item.product.id}
                  onClick={() => void download(item)}
                >
                  {downloading === item.product.id ? 'Preparing…' : 'Download'}
                  <span className="visually-hidden"> {item.product.title}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {list.hasMore && (
        <button type="button" disabled={list.loading} onClick={list.loadMore}>
          Show more
        </button>
      )}
    </section>
  );
}
