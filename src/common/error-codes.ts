/** Stable, documented error codes: clients branch on these, never on messages. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedJson = 'MALFORMED_JSON',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  ForbiddenRole = 'FORBIDDEN_ROLE',
  Forbidden = 'FORBIDDEN',
  EmailTaken = 'EMAIL_TAKEN',
  RateLimited = 'RATE_LIMITED',
  Conflict = 'CONFLICT',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL',
  // products and storage
  FileTooLarge = 'FILE_TOO_LARGE',
  UnsupportedFileType = 'UNSUPPORTED_FILE_TYPE',
  FileRequired = 'FILE_REQUIRED',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  CurrencyNotAllowed = 'CURRENCY_NOT_ALLOWED',
  StorageError = 'STORAGE_ERROR',
  LinkInvalid = 'LINK_INVALID',
  LinkExpired = 'LINK_EXPIRED',
  RangeNotSatisfiable = 'RANGE_NOT_SATISFIABLE',
  // purchases and payments
  AlreadyOwned = 'ALREADY_OWNED',
  RedirectNotAllowed = 'REDIRECT_NOT_ALLOWED',
  PaymentProviderError = 'PAYMENT_PROVIDER_ERROR',
  WebhookSignatureInvalid = 'WEBHOOK_SIGNATURE_INVALID',
  CheckoutClosed = 'CHECKOUT_CLOSED',
  CreatorCannotAcceptPayments = 'CREATOR_CANNOT_ACCEPT_PAYMENTS',
  NotRefundable = 'NOT_REFUNDABLE',
  // payouts
  PayoutsNotStarted = 'PAYOUTS_NOT_STARTED',
  // downloads
  NotPurchased = 'NOT_PURCHASED',
  AccessRevoked = 'ACCESS_REVOKED',
}
