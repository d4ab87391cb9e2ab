import { ApiFailure } from '../api';
import { messageFor } from '../errors';

/** A failed request, said in words (role="alert": screen readers announce it at once). */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const failure = error instanceof ApiFailure ? error : null;
  const message = failure?.message ?? messageFor(undefined);
  return (
    <div className="alert" role="alert">
      <p>{message}</p>
      {failure !== null && failure.fields.length > 0 && (
        <ul>
          {failure.fields.map((field) => (
            <li key={field.field}>{sentence(field.errors.join('; '))}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + '.';

/** Whether the API named this field among the invalid ones (for aria-invalid). */
export function fieldInvalid(error: unknown, field: string): boolean {
  return error instanceof ApiFailure && error.fields.some((f) => f.field === field);
}
