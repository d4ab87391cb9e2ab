import type { Schemas } from '@creator-files/client';

export type ErrorCode = Schemas['ErrorCode'];

// One human sentence for every code the API can answer (a new code fails the type check here).
// Pages branch on `code`; people read these.
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Some of the details need another look.',
  MALFORMED_JSON: 'The request could not be read. Reload the page and try again.',
  PAYLOAD_TOO_LARGE: 'That is more than can be sent at once. Shorten it and try again.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  FORBIDDEN_ROLE: 'Your account cannot do this: buyers buy and creators sell.',
  FORBIDDEN: 'You do not have access to this.',
  EMAIL_TAKEN: 'An account with this email already exists. Sign in instead.',
  RATE_LIMITED: 'Too many attempts. Please wait a minute and try again.',
  REFRESH_TOKEN_INVALID: 'Your session has ended. Please sign in again.',
  REFRESH_TOKEN_REUSED:
    'Your session was ended for safety because it was used from two places. Please sign in again.',
  WRONG_PASSWORD: 'The current password is not right.',
  TOKEN_INVALID: 'This link is not valid any more: it was used already or has expired.',
  CONFLICT: 'This changed in the meantime. Reload the page and try again.',
  SERVICE_UNAVAILABLE: 'The shop is busy or starting up. Try again in a moment.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
  REQUEST_TIMEOUT: 'The connection was too slow to send this. Please try again.',
  HEADERS_TOO_LARGE: 'The request was too large to read. Sign out and in again, then retry.',
  MALFORMED_REQUEST: 'The request could not be read. Reload the page and try again.',
  FILE_TOO_LARGE: 'This file is larger than the shop accepts.',
  STORAGE_QUOTA_EXCEEDED:
    'Your files have reached the storage quota. Archive or replace a product to make room.',
  UPLOAD_BUDGET_EXCEEDED: 'You have uploaded a lot in the last hour. Please try again later.',
  UNSUPPORTED_FILE_TYPE:
    'This type of file cannot be sold here, or its contents do not match its name.',
  FILE_REQUIRED: 'Choose a file to upload.',
  UNSUPPORTED_MEDIA_TYPE: 'The upload was not sent as a form. Reload the page and try again.',
  CURRENCY_NOT_ALLOWED: 'This shop does not sell in that currency.',
  STORAGE_ERROR: 'The file could not be stored just now. Please try again.',
  LINK_INVALID: 'This download link is not valid. Download again from your library.',
  LINK_EXPIRED: 'This download link has expired. Download again from your library.',
  RANGE_NOT_SATISFIABLE: 'The download could not resume. Start it again from your library.',
  UPLOAD_INCOMPLETE: 'The upload has not finished yet. Let it complete, then try again.',
  UPLOAD_CLOSED: 'This upload has expired or was refused. Please upload the file again.',
  UPLOAD_ALREADY_USED: 'This upload is already the file of a product. Upload the file again.',
  UPLOAD_OFFSET_MISMATCH: 'The upload got out of step. It will resume from where the shop has it.',
  UPLOAD_EXISTS: 'This upload was started already. It will resume from where it stopped.',
  TUS_PROTOCOL_ERROR: 'The upload could not be sent. Reload the page and try again.',
  ALREADY_OWNED: 'You already own this. It is in your library.',
  REDIRECT_NOT_ALLOWED:
    'Checkout cannot return to this address: the shop must list it in CORS_ORIGINS.',
  PAYMENT_PROVIDER_ERROR: 'The payment provider did not answer. Please try again in a moment.',
  WEBHOOK_SIGNATURE_INVALID: 'The payment notification could not be verified.',
  CHECKOUT_CLOSED: 'This checkout has closed. Start again from the product page.',
  CREATOR_CANNOT_ACCEPT_PAYMENTS:
    'The creator of this product cannot take payments yet. Please try again later.',
  NOT_REFUNDABLE:
    'This sale cannot be refunded: it is not paid, is disputed, or is refunded already.',
  PAYOUTS_NOT_STARTED: 'Set up payouts first, then open your payouts dashboard.',
  NOT_PURCHASED: 'You have not bought this yet.',
  ACCESS_REVOKED: 'Access to this file has ended (the purchase was refunded or disputed).',
};

/** What a person sees when the API could not be reached at all. */
export const NETWORK_MESSAGE =
  'The shop could not be reached. Check your connection and try again.';

export function messageFor(code: string | undefined): string {
  return code !== undefined && code in ERROR_MESSAGES
    ? ERROR_MESSAGES[code as ErrorCode]
    : ERROR_MESSAGES.INTERNAL;
}
