import type { Schemas } from '@creator-files/client';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiFailure, call } from '../api';
import { uploadResumably } from '../resumable';
import { parsePrice } from '../money';
import { DropZone } from './DropZone';
import { ErrorMessage } from './ErrorMessage';
import { type ProductDraft, ProductFields } from './ProductFields';
import { UploadProgress } from './UploadProgress';

type Product = Schemas['ProductDto'];

const EMPTY: ProductDraft = { title: '', description: '', price: '', currency: 'usd' };

/** A new product: its file (a resumable upload with a progress bar), then its listing. */
export function UploadForm({ onCreated }: { onCreated: (product: Product) => void }) {
  const [draft, setDraft] = useState<ProductDraft>(EMPTY);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Product | null>(null);
  const [formKey, setFormKey] = useState(0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setCreated(null);
    const priceCents = parsePrice(draft.price, draft.currency);
    if (file === null) {
      setError(new ApiFailure(400, 'FILE_REQUIRED', 'Choose a file to upload.'));
      return;
    }
    if (priceCents === null) {
      setError(
        new ApiFailure(400, 'VALIDATION_FAILED', `Enter the price as a number, like 12.50.`, [
          { field: 'priceCents', errors: ['the price is not a number in this currency'] },
        ]),
      );
      return;
    }
    setProgress(0);
    try {
      // The bytes go first, resumably; the product exists once the server has checked them.
      const uploadId = await uploadResumably(file, setProgress);
      const product = await call(() =>
        api.POST('/creator/products', {
          body: {
            uploadId,
            title: draft.title,
            description: draft.description,
            priceCents,
            currency: draft.currency,
          },
        }),
      );
      setCreated(product);
      setDraft(EMPTY);
      setFile(null);
      setFormKey((n) => n + 1);
      onCreated(product);
    } catch (failure) {
      setError(failure);
    } finally {
      setProgress(null);
    }
  };

  const busy = progress !== null;
  return (
    <form key={formKey} onSubmit={(event) => void submit(event)} aria-labelledby="upload-title">
      <h2 id="upload-title">Sell a new file</h2>
      <DropZone label="File" file={file} onFile={setFile} disabled={busy} />
      <ProductFields draft={draft} onChange={setDraft} error={error} idPrefix="new" />
      <UploadProgress label="Uploading" fraction={progress} />
      <ErrorMessage error={error} />
      {created !== null && (
        <p className="notice notice--success" role="status">
          <Link to={`/dashboard/products/${created.id}`}>{created.title}</Link> is uploaded and on
          sale.
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Uploading…' : 'Upload and publish'}
      </button>
    </form>
  );
}
