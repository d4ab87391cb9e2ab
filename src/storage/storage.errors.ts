import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';

/** Keys are made by the server: one outside the allowed shape is a bug, never user input. */
export class InvalidStorageKeyError extends Error {
  constructor(key: string) {
    super(`Invalid storage key ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'InvalidStorageKeyError';
  }
}

/** A put on a key that already holds an object: puts never overwrite. */
export class ObjectExistsException extends DomainException {
  constructor() {
    super(HttpStatus.CONFLICT, ErrorCode.Conflict, 'An object with this key already exists');
  }
}

/** The storage failed or cannot be reached; the client sees no internals. */
export class StorageUnavailableException extends DomainException {
  constructor(status: HttpStatus.BAD_GATEWAY | HttpStatus.SERVICE_UNAVAILABLE = 502) {
    super(status, ErrorCode.StorageError, 'The file storage is unavailable; try again later');
  }
}

/** The storage refused the object as too large. */
export class ObjectTooLargeException extends DomainException {
  constructor() {
    super(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.FileTooLarge, 'The file is too large to store');
  }
}

// Segments of letters, digits, `_` and `-` joined by single slashes: no dots at all (so no
// `..` and no clash with the driver's `.tmp`), no leading slash, no empty segment.
const KEY = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;
const MAX_KEY_LENGTH = 512;

export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || !KEY.test(key)) {
    throw new InvalidStorageKeyError(String(key));
  }
}

// A signed content type ends up in a header: anything unusual becomes the generic type.
const CONTENT_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function safeContentType(contentType: string | undefined): string {
  return contentType !== undefined && CONTENT_TYPE.test(contentType)
    ? contentType.toLowerCase()
    : 'application/octet-stream';
}
