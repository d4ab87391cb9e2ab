import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes an upload through while counting its bytes and hashing them, so size and sha256 are
 * known when the last byte has reached storage. Past `maxBytes` it stops and reports once.
 */
export class UploadMeter extends Transform {
  size = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(
    private readonly maxBytes: number,
    private readonly onTooLarge: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      // The owner destroys this stream with the error; the callback is never needed again.
      this.onTooLarge();
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** The hex sha256 of everything that went through; call once, after the end. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
