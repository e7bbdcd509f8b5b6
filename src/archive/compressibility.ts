// Decides whether a file's bytes are worth compressing. Media and archives are already
// compressed: deflating them again costs most of the CPU of a backup and saves ~nothing.
import zlib from 'node:zlib';

const STORED_EXTENSIONS = new Set([
  'jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'ico',
  'mp3', 'mp4', 'm4a', 'm4v', 'mov', 'webm', 'mkv', 'avi', 'ogg', 'ogv', 'opus', 'flac', 'aac',
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'jar', 'war', 'apk', 'wpress', 'br',
  'pdf', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'epub', 'woff', 'woff2',
]);

/** Files at least this large with an unknown extension get their first bytes test-compressed. */
export const SAMPLE_FROM_SIZE = 1 << 20;
const SAMPLE_BYTES = 32 * 1024;

export function storedByName(path: string): boolean {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1) return false;
  return STORED_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

/** True when a quick, cheap deflate of the sample saves less than 5%. */
export function looksIncompressible(sample: Buffer): boolean {
  const head = sample.subarray(0, SAMPLE_BYTES);
  if (head.length < 4096) return false;
  return zlib.deflateRawSync(head, { level: 1 }).length > head.length * 0.95;
}
