// Resumable uploads (tus 1.0 through tus-js-client): POST /creator/uploads says where to send
// the bytes; a dropped connection resumes from what the server has instead of starting over.
import { DetailedError, Upload } from 'tus-js-client';
import { api, ApiFailure, API_URL, call, failure, session } from './api';
import { NETWORK_MESSAGE } from './errors';

/** Sends `file` resumably and resolves with the upload id to finish a product or version with. */
export async function uploadResumably(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<string> {
  const target = await call(() =>
    api.POST('/creator/uploads', {
      body: { fileName: file.name, size: file.size, contentType: file.type || undefined },
    }),
  );
  // The bearer token goes only to the API itself (the local driver's tus server), never to
  // another origin (Supabase Storage, which gets its own signed headers).
  const apiOrigin = new URL(API_URL || window.location.origin, window.location.href).origin;
  const toApi = new URL(target.tusEndpoint, window.location.href).origin === apiOrigin;
  await new Promise<void>((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: target.tusEndpoint,
      headers: target.headers,
      metadata: target.metadata,
      ...(target.chunkSize ? { chunkSize: target.chunkSize } : {}),
      retryDelays: [0, 1000, 3000, 5000, 10000],
      // Each session has its own endpoint: nothing to resume from another page load.
      storeFingerprintForResuming: false,
      onBeforeRequest: (request) => {
        // Read each time: a long upload may outlive one access token.
        if (toApi && session.token !== null) {
          request.setHeader('Authorization', `Bearer ${session.token}`);
        }
      },
      onProgress: (sent, total) => onProgress(total > 0 ? sent / total : 0),
      onSuccess: () => resolve(),
      onError: (error) => reject(tusFailure(error)),
    });
    upload.start();
  });
  return target.id;
}

/** A tus client error as ApiFailure: the API's error answer when there was one. */
function tusFailure(error: Error): ApiFailure {
  const response = error instanceof DetailedError ? error.originalResponse : null;
  if (response === null) return new ApiFailure(0, 'NETWORK', NETWORK_MESSAGE);
  let body: unknown = null;
  try {
    body = JSON.parse(response.getBody());
  } catch {
    // not JSON (Supabase Storage answers in its own shape)
  }
  const retryAfter = response.getHeader('Retry-After');
  return failure(
    new Response(null, {
      status: response.getStatus(),
      headers: retryAfter ? { 'Retry-After': retryAfter } : {},
    }),
    body,
  );
}
