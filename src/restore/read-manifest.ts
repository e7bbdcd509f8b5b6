// The manifest.json of an archive (its first entry), read without decompressing the rest.
import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { AgentError } from '../errors/index.ts';
import { ZstdFrameSplitter } from '../archive/zstd-frames.ts';
import type { ArchiveSource } from '../archive/archive-source.ts';

const MAX_MANIFEST = 1024 * 1024;

export async function readManifest(source: ArchiveSource): Promise<Record<string, unknown>> {
  const corrupt = (why: string) => new AgentError('AGENT_E_ARCHIVE_CORRUPT', `the archive's manifest: ${why}`);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, value?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(value!);
    };
    const parser = new Parser({ strict: true });
    parser.on('entry', (entry: ReadEntry) => {
      if (entry.path !== 'manifest.json' || entry.type !== 'File' || entry.size > MAX_MANIFEST) {
        finish(corrupt('manifest.json is not the first entry'));
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        try {
          const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('not an object');
          finish(null, m as Record<string, unknown>);
        } catch (err) {
          finish(corrupt(`not valid JSON (${(err as Error).message})`));
        }
      });
    });
    parser.on('error', (err: Error) => finish(corrupt(err.message)));
    parser.on('end', () => finish(corrupt('missing')));
    const decompress = source.compression === 'zstd' ? zlib.createZstdDecompress() : zlib.createGunzip();
    const splitter = source.compression === 'zstd' ? new ZstdFrameSplitter() : null;
    decompress.on('data', (b: Buffer) => { if (!settled) parser.write(b); });
    decompress.on('error', (err) => finish(corrupt(err.message)));
    decompress.on('end', () => parser.end());
    void (async () => {
      try {
        for await (const chunk of source.open()) {
          if (settled) break;
          if (splitter) for (const piece of splitter.push(chunk)) decompress.write(piece);
          else decompress.write(chunk);
        }
        decompress.end();
      } catch (err) {
        finish(err as Error);
      }
    })();
  });
}
