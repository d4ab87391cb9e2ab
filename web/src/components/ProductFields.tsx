import type { Schemas } from '@creator-files/client';
import { fieldInvalid } from './ErrorMessage';

/** A currency a request may name: the API's ALLOWED_CURRENCIES when the client was generated. */
export type Currency = NonNullable<Schemas['UpdateProductDto']['currency']>;

/** The currencies offered in the form; the API refuses those its ALLOWED_CURRENCIES leaves out. */
export const CURRENCIES: Currency[] = ['usd', 'eur', 'gbp', 'cad', 'aud', 'jpy'];

export interface ProductDraft {
  title: string;
  description: string;
  price: string;
  currency: Currency;
}

/** Title, description and price: shared by the upload form and the edit form. */
export function ProductFields({
  draft,
  onChange,
  error,
  idPrefix,
}: {
  draft: ProductDraft;
  onChange: (draft: ProductDraft) => void;
  error: unknown;
  idPrefix: string;
}) {
  const set = (change: Partial<ProductDraft>) => onChange({ ...draft, ...change });
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-title`}>Title</label>
        <input
          id={`${idPrefix}-title`}
          required
          maxLength={200}
          aria-invalid={fieldInvalid(error, 'title') || undefined}
          value={draft.title}
          onChange={(event) => set({ title: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-description`}>Description</label>
        <textarea
          id={`${idPrefix}-description`}
          rows={4}
          maxLength={5000}
          aria-invalid={fieldInvalid(error, 'description') || undefined}
          value={draft.description}
          onChange={(event) => set({ description: event.target.value })}
        />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${idPrefix}-price`}>Price</label>
          <input
            id={`${idPrefix}-price`}
            inputMode="decimal"
            required
            aria-describedby={`${idPrefix}-price-hint`}
            aria-invalid={fieldInvalid(error, 'priceCents') || undefined}
            value={draft.price}
            onChange={(event) => set({ price: event.target.value })}
          />
          <p id={`${idPrefix}-price-hint`} className="hint">
            For example 12.50; 0 makes it free.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-currency`}>Currency</label>
          <select
            id={`${idPrefix}-currency`}
            value={draft.currency}
            aria-invalid={fieldInvalid(error, 'currency') || undefined}
            onChange={(event) => set({ currency: event.target.value as Currency })}
          >
            {CURRENCIES.map((currency) => (
              <option key={currency} value={currency}>
                {currency.toUpperCase()}
              </option>
            ))}
          </select>
        </div>
      </div>
    </>
  );
}
