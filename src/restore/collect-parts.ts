// Copies the non-file parts of an archive (databases/, mail/, dns/) into the job's private
// work directory in the root-only spool. Runs after the archive was verified. Only names of
// the exact shapes the writer produces are taken, so a hostile name never becomes a path.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { ZstdFrameSplitter } from '../archive/zstd-frames.ts';
import type { SourceWarning } from '../core/index.ts';
import type { ArchiveSource } from '../archive/archive-source.ts';
import { RESTORE_WARNINGS } from './warnings.ts';
import { isOtherPart } from './entry-path.ts';

export type RestorePart = 'files' | 'databases' | 'mail' | 'dns';

const DB_SQL = /^databases\/([A-Za-z0-9_][A-Za-z0-9_$-]{0,63})\.sql$/;
const ZONE = /^dns\/((?=[a-z0-9_.-]{1,253}\.zone$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*)\.zone$/;
export const MAIL_ADDRESS = /^[^\s/\\@\x00-\x1f\x7f]{1,64}@[^\s/\\@\x00-\x1f\x7f]{1,255}$/;
const MAIL_FILE = /^mail\/([^/]+)\/(mailboxes\.json|emails\.jsonl|account\.json|blobs\/[0-9a-f]{64}\.eml)$/;

export interface CollectedParts {
  /** Database name -> dump file. */
  databases: Map<string, string>;
  /** Zone name -> zone file. */
  zones: Map<string, string>;
  /** Mail address -> directory holding mailboxes.json, emails.jsonl, blobs/. */
  mailboxes: Map<string, string>;
}

/** Where an archive name goes inside `workDir`, or null when this restore does not want it. */
function placeOf(name: string, parts: readonly RestorePart[]): { kind: 'databases' | 'dns' | 'mail'; key: string; rel: string } | null {
  let m: RegExpExecArray | null;
  if (parts.includes('databases') && (m = DB_SQL.exec(name))) return { kind: 'databases', key: m[1]!, rel: `databases/${m[1]}.sql` };
  if (parts.includes('dns') && (m = ZONE.exec(name))) return { kind: 'dns', key: m[1]!, rel: `dns/${m[1]}.zone` };
  if (parts.includes('mail') && (m = MAIL_FILE.exec(name)) && MAIL_ADDRESS.test(m[1]!) && m[1] !== '.' && m[1] !== '..') {
    return { kind: 'mail', key: m[1]!, rel: `mail/${m[1]}/${m[2]}` };
  }
  return null;
}

export async function collectParts(o: { source: ArchiveSource; parts: readonly RestorePart[]; workDir: string; signal?: AbortSignal; warn(w: SourceWarning): void }): Promise<CollectedParts> {
  const out: CollectedParts = { databases: new Map(), zones: new Map(), mailboxes: new Map() };
  const parser = new Parser({ strict: true });
  const pending: Promise<void>[] = [];
  parser.on('entry', (entry: ReadEntry) => {
    const name = entry.path;
    const place = entry.type === 'File' ? placeOf(name, o.parts) : null;
    if (!place) {
      const bare = name.replace(/\/+$/, '');
      const known = bare === 'files' || bare.startsWith('files/') || (isOtherPart(bare) && (entry.type === 'Directory' || !/^(databases|mail|dns)\//.test(bare)));
      if (!known && /^(databases|mail|dns)\//.test(bare) && o.parts.some((p) => bare.startsWith(`${p}/`))) {
        o.warn({ code: RESTORE_WARNINGS.outside, path: name, message: 'unexpected entry in the archive skipped' });
      }
      entry.resume();
      return;
    }
    const file = path.join(o.workDir, place.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const sink = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    pending.push(pipeline(entry, sink));
    if (place.kind === 'databases') out.databases.set(place.key, file);
    else if (place.kind === 'dns') out.zones.set(place.key, file);
    else out.mailboxes.set(place.key, path.join(o.workDir, 'mail', place.key));
  });
  const splitter = o.source.compression === 'zstd' ? new ZstdFrameSplitter() : null;
  const decompress = o.source.compression === 'zstd' ? zlib.createZstdDecompress() : zlib.createGunzip();
  async function* pieces() {
    for await (const chunk of o.source.open()) {
      if (splitter) yield* splitter.push(chunk);
      else yield chunk;
    }
    splitter?.end();
  }
  await pipeline(Readable.from(pieces()), decompress, parser as unknown as Writable, { signal: o.signal });
  await Promise.all(pending);
  return out;
}
