import { fileTypeFromBuffer } from 'file-type';
import mime from 'mime-types';

/** How many leading bytes the content sniffing looks at. */
export const SNIFF_BYTES = 4100;

export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

// Containers that many formats share (docx, epub, xlsx and Sketch are zip files; old Office
// files are CFB): the extension names the format better than the magic number does.
const GENERIC_CONTAINERS = new Set([
  'application/zip',
  'application/x-cfb',
  'application/xml',
  'text/xml',
  'application/gzip',
]);

/** Programs are not products: refused whatever their name says. */
export const EXECUTABLE_TYPES = new Set([
  'application/x-msdownload',
  'application/vnd.microsoft.portable-executable',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-executable',
]);

export interface DetectedType {
  contentType: string;
  /** The MIME type the bytes themselves announce, if any. */
  sniffed?: string;
}

/**
 * The content type of an upload: from its first bytes (magic numbers) when they say something
 * specific, else from its extension, else application/octet-stream.
 */
export async function detectContentType(
  head: Uint8Array,
  extension: string,
): Promise<DetectedType> {
  const sniffed = (await fileTypeFromBuffer(head).catch(() => undefined))?.mime;
  const byName = extension === '' ? false : mime.lookup(extension);
  if (sniffed !== undefined && !(GENERIC_CONTAINERS.has(sniffed) && byName)) {
    return { contentType: sniffed, sniffed };
  }
  return { contentType: byName || sniffed || FALLBACK_CONTENT_TYPE, sniffed };
}
