// The manifest.json of an archive (its first entry), read without decompressing the rest.
import { AgentError } from '../errors/index.ts';
import { TarReader } from '../archive/tar-reader.ts';
import { tarBytes } from '../archive/tar-bytes.ts';
import type { ArchiveSource } from '../archive/archive-source.ts';

const MAX_MANIFEST = 1024 * 1024;

export async function readManifest(source: ArchiveSource): Promise<Record<string, unknown>> {
  const corrupt = (why: string) => new AgentError('AGENT_E_ARCHIVE_CORRUPT', `the archive's manifest: ${why}`);
  const chunks: Buffer[] = [];
  let read = false;
  const reader = new TarReader({
    entry(e) {
      if (e.path !== 'manifest.json' || e.type !== 'file' || e.size > MAX_MANIFEST) throw corrupt('manifest.json is not the first entry');
    },
    data: (piece) => chunks.push(Buffer.from(piece)),
    entryEnd() {
      read = true;
      reader.stop();
    },
  });
  try {
    for await (const chunk of tarBytes(source)) {
      reader.push(chunk);
      if (read) break;
    }
  } catch (err) {
    // The tar reader's and the zstd splitter's errors are AGENT_E_ARCHIVE_CORRUPT already.
    if (err instanceof AgentError) throw err;
    throw corrupt((err as Error).message);
  }
  if (!read) throw corrupt('missing');
  try {
    const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('not an object');
    return m as Record<string, unknown>;
  } catch (err) {
    throw corrupt(`not valid JSON (${(err as Error).message})`);
  }
}
