import type { Schemas } from '@creator-files/client';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiFailure, call } from '../api';
import { uploadResumably } from '../resumable';
import { DropZone } from '../components/DropZone';
import { ErrorMessage } from '../components/ErrorMessage';
import { type Currency, type ProductDraft, ProductFields } from '../components/ProductFields';
import { UploadProgress } from '../components/UploadProgress';
import { useAction, usePageTitle, useLoad } from '../hooks';
import { formatSize, parsePrice, toMajorUnits } from '../money';
import { NotFoundPage } from './NotFoundPage';

type Product = Schemas['ProductDto'];

function draftOf(product: Product): ProductDraft {
  return {
    title: product.title,
    description: product.description ?? '',
    price: toMajorUnits(product.priceCents, product.currency),
    // A product's currency was accepted by the API, so it is one of the allowed ones.
    currency: product.currency as Currency,
  };
}

function EditForm({ product, onSaved }: { product: Product; onSaved: (p: Product) => void }) {
  const [draft, setDraft] = useState(() => draftOf(product));
  const [status, setStatus] = useState<'published' | 'unpublished'>(
    product.status === 'published' ? 'published' : 'unpublished',
  );
  const { busy, error, setError, run } = useAction({ reusable: true });
  const [saved, setSaved] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const priceCents = parsePrice(draft.price, draft.currency);
    if (priceCents === null) {
      setError(
        new ApiFailure(400, 'VALIDATION_FAILED', 'Enter the price as a number, like 12.50.', [
          { field: 'priceCents', errors: ['the price is not a number in this currency'] },
        ]),
      );
      return;
    }
    void run(async () => {
      const updated = await call(() =>
        api.PATCH('/creator/products/{id}', {
          params: { path: { id: product.id } },
          body: {
            title: draft.title,
            description: draft.description,
            priceCents,
            currency: draft.currency,
            status,
          },
        }),
      );
      setSaved(true);
      onSaved(updated);
    });
  };

  return (
    <form onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">Listing</h2>
      <ProductFields draft={draft} onChange={setDraft} error={error} idPrefix="edit" />
      <fieldset className="choices">
        <legend>Visibility</legend>
        <label>
          <input
            type="radio"
            name="status"
            checked={status === 'published'}
            onChange={() => setStatus('published')}
          />{' '}
          On sale in the catalogue
        </label>
        <label>
          <input
            type="radio"
            name="status"
            checked={status === 'unpublished'}
            onChange={() => setStatus('unpublished')}
          />{' '}
          Hidden (buyers keep their downloads)
        </label>
      </fieldset>
      <ErrorMessage error={error} />
      {saved && (
        <p className="notice notice--success" role="status">
          Saved.
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save changes'}
      </button>
    </form>
  );
}

function NewVersionForm({ product, onSaved }: { product: Product; onSaved: (p: Product) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState('');
  const [notifyBuyers, setNotifyBuyers] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const [formKey, setFormKey] = useState(0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (file === null) {
      setError(new ApiFailure(400, 'FILE_REQUIRED', 'Choose a file to upload.'));
      return;
    }
    setProgress(0);
    try {
      const uploadId = await uploadResumably(file, setProgress);
      const updated = await call(() =>
        api.PUT('/creator/products/{id}/file', {
          params: { path: { id: product.id } },
          body: { uploadId, note: note.trim() || undefined, notifyBuyers },
        }),
      );
      setDone(updated.version);
      setFile(null);
      setNote('');
      setNotifyBuyers(false);
      setFormKey((n) => n + 1);
      onSaved(updated);
    } catch (failure) {
      setError(failure);
    } finally {
      setProgress(null);
    }
  };

  return (
    <form key={formKey} onSubmit={(event) => void submit(event)} aria-labelledby="version-title">
      <h2 id="version-title">New version</h2>
      <p className="hint">
        Buyers download the latest version. Now: version {product.version}, {product.fileName} (
        {formatSize(product.size)}).
      </p>
      <DropZone label="New file" file={file} onFile={setFile} disabled={progress !== null} />
      <div className="field">
        <label htmlFor="version-note">
          What changed <span className="hint">(optional)</span>
        </label>
        <textarea
          id="version-note"
          rows={2}
          maxLength={1000}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <div className="field">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={notifyBuyers}
            onChange={(event) => setNotifyBuyers(event.target.checked)}
          />{' '}
          Email everyone who bought it about the new version
        </label>
      </div>
      <UploadProgress label="Uploading the new version" fraction={progress} />
      <ErrorMessage error={error} />
      {done !== null && (
        <p className="notice notice--success" role="status">
          Version {done} is live.
        </p>
      )}
      <button type="submit" className="primary" disabled={progress !== null}>
        {progress !== null ? 'Uploading…' : 'Upload new version'}
      </button>
    </form>
  );
}

function VersionList({ product }: { product: Product }) {
  const [versions] = useLoad(
    () =>
      call(() =>
        api.GET('/creator/products/{id}/versions', { params: { path: { id: product.id } } }),
      ),
    `${product.id}/${product.version}`,
  );
  if (versions.status === 'loading') return <p aria-live="polite">Loading the versions…</p>;
  if (versions.status === 'error') return <ErrorMessage error={versions.error} />;
  return (
    <ol className="versions" reversed>
      {versions.data.items.map((v) => (
        <li key={v.version}>
          <strong>Version {v.version}</strong>: {v.fileName} ({formatSize(v.size)}),{' '}
          {new Date(v.createdAt).toLocaleDateString()}
          {v.note && <p className="hint">{v.note}</p>}
        </li>
      ))}
    </ol>
  );
}

function ArchiveButton({ product, onArchived }: { product: Product; onArchived: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (product.status === 'archived') {
    return (
      <p>
        Archived: no longer sold, and buyers keep their downloads. Put it on sale or hide it above
        to bring it back.
      </p>
    );
  }
  const archive = async () => {
    setError(null);
    try {
      await call(() =>
        api.DELETE('/creator/products/{id}', { params: { path: { id: product.id } } }),
      );
      onArchived();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <div>
      <p>Archiving stops sales for good; buyers keep their downloads.</p>
      <ErrorMessage error={error} />
      {confirming ? (
        <p className="actions">
          <button type="button" className="danger" onClick={() => void archive()}>
            Yes, archive {product.title}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </p>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Archive
        </button>
      )}
    </div>
  );
}

export function ProductEditPage() {
  const { id = '' } = useParams();
  const [product, reload] = useLoad(
    () => call(() => api.GET('/creator/products/{id}', { params: { path: { id } } })),
    id,
  );
  usePageTitle(product.status === 'ready' ? `Edit ${product.data.title}` : 'Edit product');

  if (product.status === 'loading') return <p aria-live="polite">Loading the product…</p>;
  if (product.status === 'error') {
    if (product.error instanceof ApiFailure && [400, 404].includes(product.error.status)) {
      return <NotFoundPage />;
    }
    return <ErrorMessage error={product.error} />;
  }
  const p = product.data;
  return (
    <div className="dashboard">
      <p>
        <Link to="/dashboard">← Dashboard</Link>
      </p>
      <h1>{p.title}</h1>
      <section className="card">
        <EditForm key={p.id} product={p} onSaved={reload} />
      </section>
      <section className="card">
        <NewVersionForm product={p} onSaved={reload} />
      </section>
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <VersionList product={p} />
      </section>
      <section className="card" aria-labelledby="archive-title">
        <h2 id="archive-title">Archive</h2>
        <ArchiveButton product={p} onArchived={reload} />
      </section>
    </div>
  );
}
