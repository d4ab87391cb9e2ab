import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeObject {
  bytes: Buffer;
  contentType: string;
  createdAt: Date;
  etag: string;
}

export interface FakeBucket {
  public: boolean;
  /** Largest object in bytes; larger uploads fail like the real API (statusCode "413"). */
  fileSizeLimit?: number;
  /** MIME types a resumable upload may declare (`*` wildcards allowed); null for any. */
  allowedMimeTypes?: string[] | null;
  objects: Map<string, FakeObject>;
}

/** A resumable (tus) upload in progress, as the storage server keeps it until it completes. */
export interface FakeTusUpload {
  bucket: string;
  objectName: string;
  contentType: string;
  length: number;
  chunks: Buffer[];
  offset: number;
  /** A PATCH is being received: another one on the same URL gets 409. */
  busy: boolean;
  /** The length of every PATCH body received, in order. */
  patchSizes: number[];
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/**
 * A stand-in for Supabase Storage (`<url>/storage/v1`) answering the routes our driver uses
 * the way the real server does: errors as HTTP 400 with the real status as a string in the
 * body's `statusCode` and the error name in `code`; signed URLs carrying an HS256 JWT; the
 * `download` query turned into Content-Disposition. Objects live in memory.
 */
export class FakeSupabaseStorage {
  readonly serviceRoleKey = 'test';
  readonly buckets = new Map<string, FakeBucket>();
  readonly requests: FakeRequest[] = [];
  readonly tusUploads = new Map<string, FakeTusUpload>();
  /** While true, every request is answered as an outage of the storage server would be. */
  failing = false;
  private readonly jwtSecret = randomBytes(32);
  private server?: Server;
  private port = 0;

  /** The project URL to give the client (SUPABASE_URL). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(buckets: Record<string, Partial<FakeBucket>> = { products: {} }) {
    const fake = new FakeSupabaseStorage();
    for (const [name, bucket] of Object.entries(buckets)) fake.createBucket(name, bucket);
    await fake.listen();
    return fake;
  }

  createBucket(name: string, options: Partial<FakeBucket> = {}): FakeBucket {
    const bucket = { public: false, objects: new Map(), ...options };
    this.buckets.set(name, bucket);
    return bucket;
  }

  object(bucket: string, key: string): FakeObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  /** Listens (again) on the same port when it had one, so a stopped fake can come back. */
  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          send(res, 500, { statusCode: '500', code: 'InternalError', message: String(error) });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** A signed-URL token as the real server makes them: HS256 over `{ url, iat, exp }`. */
  private signToken(url: string, expiresIn: number, extra: object = {}): string {
    const iat = Math.floor(Date.now() / 1000);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ url, iat, exp: iat + expiresIn, ...extra });
    const signature = createHmac('sha256', this.jwtSecret)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  private verifyToken(token: string): { url: string; exp: number; upsert?: boolean } | string {
    const [header, payload, signature, ...rest] = token.split('.');
    if (rest.length > 0 || signature === undefined) return 'jwt malformed';
    const expected = createHmac('sha256', this.jwtSecret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return 'invalid signature';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      url: string;
      exp: number;
    };
    if (Date.now() / 1000 >= claims.exp) return 'jwt expired';
    return claims;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, headers: req.headers });
    if (this.failing) {
      return send(res, 500, { statusCode: '500', code: 'InternalError', message: 'outage' });
    }
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'storage' || parts[1] !== 'v1') return notFoundRoute(res);
    const [, , area, ...rest] = parts;

    // A signed URL is its own credential; everything else needs the service-role key.
    if (area === 'object' && rest[0] === 'sign' && method === 'GET') {
      return this.serveSigned(req, res, rest.slice(1), url);
    }
    // Resumable uploads with a signed upload token: the token (x-signature) is the credential.
    if (area === 'upload' && rest[0] === 'resumable' && rest[1] === 'sign') {
      return this.tus(req, res, method, rest[2]);
    }
    if (req.headers.authorization !== `Bearer ${this.serviceRoleKey}`) {
      return fail(res, '403', 'InvalidJWT', 'invalid signature');
    }

    if (area === 'bucket' && method === 'GET' && rest.length === 1) {
      const bucket = this.buckets.get(rest[0]);
      if (bucket === undefined) return fail(res, '404', 'NoSuchBucket', 'Bucket not found');
      const now = new Date().toISOString();
      return send(res, 200, {
        id: rest[0],
        name: rest[0],
        owner: '',
        public: bucket.public,
        file_size_limit: bucket.fileSizeLimit ?? null,
        allowed_mime_types: bucket.allowedMimeTypes ?? null,
        created_at: now,
        updated_at: now,
      });
    }
    if (area === 'bucket' && method === 'PUT' && rest.length === 1) {
      const bucket = this.buckets.get(rest[0]);
      if (bucket === undefined) return fail(res, '404', 'NoSuchBucket', 'Bucket not found');
      const body = JSON.parse((await readAll(req)).toString() || '{}') as {
        public?: boolean;
        file_size_limit?: number | null;
        allowed_mime_types?: string[] | null;
      };
      if (body.public !== undefined) bucket.public = body.public;
      if (body.file_size_limit !== undefined)
        bucket.fileSizeLimit = body.file_size_limit ?? undefined;
      if (body.allowed_mime_types !== undefined) bucket.allowedMimeTypes = body.allowed_mime_types;
      return send(res, 200, { message: 'Successfully updated' });
    }
    if (area !== 'object') return notFoundRoute(res);

    // createSignedUploadUrl: a token for one object name, valid 2 hours (hosted Supabase).
    if (rest[0] === 'upload' && rest[1] === 'sign' && method === 'POST') {
      const [bucketName, ...keyParts] = rest.slice(2);
      const key = keyParts.join('/');
      if (!this.buckets.has(bucketName))
        return fail(res, '404', 'NoSuchBucket', 'Bucket not found');
      const upsert = req.headers['x-upsert'] === 'true';
      if (this.object(bucketName, key) !== undefined && !upsert) {
        return fail(res, '409', 'KeyAlreadyExists', 'The resource already exists', 'Duplicate');
      }
      const token = this.signToken(`${bucketName}/${key}`, 7200, { upsert });
      return send(res, 200, {
        url: `/object/upload/sign/${bucketName}/${key}?token=${token}`,
        token,
      });
    }

    if (rest[0] === 'sign' && method === 'POST') {
      const [bucketName, ...keyParts] = rest.slice(1);
      const key = keyParts.join('/');
      const body = JSON.parse((await readAll(req)).toString() || '{}') as { expiresIn?: number };
      if (typeof body.expiresIn !== 'number' || body.expiresIn < 1) {
        return fail(res, '400', 'InvalidRequest', 'body/expiresIn must be >= 1');
      }
      if (this.object(bucketName, key) === undefined)
        return fail(res, '404', 'NoSuchKey', 'Object not found');
      const token = this.signToken(`${bucketName}/${key}`, body.expiresIn);
      return send(res, 200, { signedURL: `/object/sign/${bucketName}/${key}?token=${token}` });
    }

    if (rest[0] === 'info' && method === 'GET') {
      const [bucketName, ...keyParts] = rest.slice(1);
      const key = keyParts.join('/');
      const object = this.object(bucketName, key);
      if (object === undefined) return fail(res, '404', 'NoSuchKey', 'Object not found');
      return send(res, 200, {
        id: randomUUID(),
        name: key,
        version: randomUUID(),
        bucket_id: bucketName,
        size: object.bytes.length,
        content_type: object.contentType,
        cache_control: 'no-cache',
        etag: object.etag,
        metadata: null,
        last_modified: object.createdAt.toISOString(),
        created_at: object.createdAt.toISOString(),
      });
    }

    if (method === 'DELETE' && rest.length === 1) {
      const bucket = this.buckets.get(rest[0]);
      if (bucket === undefined) return fail(res, '404', 'NoSuchBucket', 'Bucket not found');
      const body = JSON.parse((await readAll(req)).toString() || '{}') as { prefixes?: string[] };
      const deleted = (body.prefixes ?? []).filter((key) => bucket.objects.delete(key));
      return send(
        res,
        200,
        deleted.map((name) => ({ name, bucket_id: rest[0] })),
      );
    }

    if (method === 'POST' || method === 'PUT') {
      const [bucketName, ...keyParts] = rest;
      const key = keyParts.join('/');
      const bucket = this.buckets.get(bucketName);
      if (bucket === undefined) return fail(res, '404', 'NoSuchBucket', 'Bucket not found');
      if (!/^[\w!\-.*'() &$@=;:+,?/]+$/.test(key))
        return fail(res, '400', 'InvalidKey', `Invalid key: ${key}`);
      // An aborted upload stores nothing: the request fails before the object is recorded.
      let bytes: Buffer;
      try {
        bytes = await readAll(req);
      } catch {
        return;
      }
      if (bucket.fileSizeLimit !== undefined && bytes.length > bucket.fileSizeLimit) {
        return fail(res, '413', 'EntityTooLarge', 'The object exceeded the maximum allowed size');
      }
      const upsert = method === 'PUT' || req.headers['x-upsert'] === 'true';
      if (bucket.objects.has(key) && !upsert) {
        return fail(res, '409', 'KeyAlreadyExists', 'The resource already exists', 'Duplicate');
      }
      bucket.objects.set(key, {
        bytes,
        contentType: req.headers['content-type'] ?? 'application/octet-stream',
        createdAt: new Date(),
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      });
      return send(res, 200, { Id: randomUUID(), Key: `${bucketName}/${key}` });
    }
    return notFoundRoute(res);
  }

  /**
   * Supabase's tus endpoint with a signed upload token (storage-api src/http/routes/tus): POST
   * `/upload/resumable/sign` creates (metadata bucketName, objectName, contentType), the
   * Location is `/upload/resumable/sign/<base64url(bucket/object/version)>`, every request
   * carries the token as `x-signature`, and the object exists only once the last byte arrived.
   */
  private async tus(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    id: string | undefined,
  ): Promise<void> {
    const tusHeaders = { 'Tus-Resumable': '1.0.0' };
    const plain = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...tusHeaders, ...headers, 'Content-Type': 'text/plain' });
      res.end(body);
    };
    if (method !== 'OPTIONS' && req.headers['tus-resumable'] !== '1.0.0') {
      return plain(412, 'Tus-Resumable Required');
    }
    const signature = req.headers['x-signature'];
    if (typeof signature !== 'string') return plain(400, 'Missing x-signature header');
    const claims = this.verifyToken(signature);
    if (typeof claims === 'string') return plain(400, claims);

    if (method === 'POST' && id === undefined) {
      const metadata = Object.fromEntries(
        String(req.headers['upload-metadata'] ?? '')
          .split(',')
          .filter((pair) => pair.trim() !== '')
          .map((pair) => {
            const [key, value = ''] = pair.trim().split(' ');
            return [key, Buffer.from(value, 'base64').toString('utf8')];
          }),
      );
      const length = Number(req.headers['upload-length']);
      // The real server answers an empty upload with a bare 404, which retrying clients loop on.
      if (length === 0) {
        res.writeHead(404);
        res.end();
        return;
      }
      if (!Number.isSafeInteger(length) || length < 0) return plain(400, 'Invalid upload-length');
      const bucketName = metadata.bucketName ?? '';
      const objectName = metadata.objectName ?? '';
      if (claims.url !== `${bucketName}/${objectName}`) {
        return plain(400, 'The url do not match the signature');
      }
      const bucket = this.buckets.get(bucketName);
      if (bucket === undefined) return plain(404, 'Bucket not found');
      const contentType = metadata.contentType ?? 'application/octet-stream';
      const allowed = bucket.allowedMimeTypes;
      if (
        allowed &&
        !allowed.some(
          (type) =>
            type === contentType ||
            (type.endsWith('/*') && contentType.startsWith(type.slice(0, -1))),
        )
      ) {
        return plain(415, `mime type ${contentType} is not supported`);
      }
      if (bucket.objects.has(objectName) && claims.upsert !== true) {
        return plain(409, 'The resource already exists');
      }
      const uploadId = Buffer.from(`${bucketName}/${objectName}/${randomUUID()}`).toString(
        'base64url',
      );
      this.tusUploads.set(uploadId, {
        bucket: bucketName,
        objectName,
        contentType,
        length,
        chunks: [],
        offset: 0,
        busy: false,
        patchSizes: [],
      });
      const host = req.headers.host ?? `127.0.0.1:${this.port}`;
      res.writeHead(201, {
        ...tusHeaders,
        Location: `http://${host}/storage/v1/upload/resumable/sign/${uploadId}`,
      });
      res.end();
      return;
    }
    const upload = id === undefined ? undefined : this.tusUploads.get(id);
    if (upload === undefined) return plain(404, 'Upload not found');
    if (claims.url !== `${upload.bucket}/${upload.objectName}`) {
      return plain(400, 'The url do not match the signature');
    }
    if (method === 'HEAD') {
      res.writeHead(200, {
        ...tusHeaders,
        'Upload-Offset': String(upload.offset),
        'Upload-Length': String(upload.length),
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    if (method !== 'PATCH') return plain(404, 'Not found');
    // Two clients on one upload URL: the one that comes second loses the lock.
    if (upload.busy) return plain(409, 'Upload is locked by another request');
    if (req.headers['content-type'] !== 'application/offset+octet-stream') {
      return plain(415, 'Invalid Content-Type');
    }
    if (Number(req.headers['upload-offset']) !== upload.offset) {
      return plain(409, 'Upload-Offset conflict');
    }
    upload.busy = true;
    let body: Buffer;
    try {
      body = await readAll(req);
    } catch {
      upload.busy = false;
      return;
    }
    upload.busy = false;
    if (upload.offset + body.length > upload.length) {
      return plain(413, 'Upload-Length exceeded');
    }
    upload.chunks.push(body);
    upload.patchSizes.push(body.length);
    upload.offset += body.length;
    const headers: Record<string, string> = { 'Upload-Offset': String(upload.offset) };
    if (upload.offset === upload.length) {
      const bytes = Buffer.concat(upload.chunks);
      this.buckets.get(upload.bucket)?.objects.set(upload.objectName, {
        bytes,
        contentType: upload.contentType,
        createdAt: new Date(),
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      });
      upload.chunks = [];
      headers['Tus-Complete'] = '1';
    }
    res.writeHead(204, { ...tusHeaders, ...headers });
    res.end();
  }

  private serveSigned(req: IncomingMessage, res: ServerResponse, path: string[], url: URL): void {
    const token = url.searchParams.get('token');
    if (token === null)
      return fail(res, '400', 'InvalidRequest', "querystring must have required property 'token'");
    const claims = this.verifyToken(token);
    if (typeof claims === 'string') return fail(res, '400', 'InvalidJWT', claims);
    if (claims.url !== path.join('/')) {
      return fail(res, '400', 'InvalidSignature', 'The url do not match the signature');
    }
    const [bucketName, ...keyParts] = path;
    const object = this.object(bucketName, keyParts.join('/'));
    if (object === undefined) return fail(res, '404', 'NoSuchKey', 'Object not found');
    const size = object.bytes.length;
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range !== null && (range[1] !== '' || range[2] !== '')) {
      if (range[1] === '') start = Math.max(0, size - Number(range[2]));
      else {
        start = Number(range[1]);
        if (range[2] !== '') end = Math.min(end, Number(range[2]));
      }
      if (start >= size || start > end)
        return fail(res, '400', 'InvalidRange', 'invalid range provided');
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', object.contentType);
    res.setHeader('Content-Length', String(end - start + 1));
    res.setHeader('ETag', object.etag);
    res.setHeader('Last-Modified', object.createdAt.toUTCString());
    res.setHeader('Expires', new Date(claims.exp * 1000).toUTCString());
    const download = url.searchParams.get('download');
    if (download === '') res.setHeader('Content-Disposition', 'attachment;');
    else if (download !== null) {
      // Exactly what the real renderer sends.
      const encoded = encodeURIComponent(download);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename=${encoded}; filename*=UTF-8''${encoded};`,
      );
    }
    res.end(req.method === 'HEAD' ? undefined : object.bytes.subarray(start, end + 1));
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The real API's error answer: HTTP 400 (500 for internal errors) with the real status inside. */
function fail(
  res: ServerResponse,
  statusCode: string,
  code: string,
  message: string,
  error = code,
): void {
  send(res, statusCode === '500' ? 500 : 400, { statusCode, code, error, message });
}

function notFoundRoute(res: ServerResponse): void {
  send(res, 404, { message: 'Route not found', error: 'Not Found', statusCode: 404 });
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
    req.on('close', () => {
      if (!req.complete) reject(new Error('aborted'));
    });
  });
}
