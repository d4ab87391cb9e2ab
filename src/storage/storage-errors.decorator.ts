import { applyDecorators } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto.js';

/**
 * A route that reaches the file storage documents how its failures answer
 * (StorageUnavailableException): 502 when Supabase Storage refuses or fails a request, 503 when
 * the storage cannot be reached (a 503 may also be the database's, as on every route).
 * `consequence` says what the failure leaves behind.
 */
export const StorageErrors = (consequence = 'nothing changed; retrying is safe') =>
  applyDecorators(
    ApiBadGatewayResponse({
      type: ErrorDto,
      description: `The storage provider refused or failed the request (STORAGE_ERROR); ${consequence}`,
    }),
    ApiServiceUnavailableResponse({
      type: ErrorDto,
      description: `The storage (STORAGE_ERROR) or the database (SERVICE_UNAVAILABLE) cannot be reached; Retry-After may say when to try again; ${consequence}`,
    }),
  );
