// Copies the non-file parts of an archive (databases/, mail/, dns/) into the job's private
// work directory in the root-only spool. Runs after the archive was verified. Only names of
// the exact shapes the writer produces are taken, so a hostile name never becomes a path.
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { TarReader } from '../archive/tar-reader.ts';
import { tarBytes } from '../archive/tar-bytes.ts';
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
  // The reader calls back synchronously; file work is queued and done before the next chunk,
  // so at most one decompressed chunk is held and files are written in archive order.
  const work: (() => Promise<unknown>)[] = [];
  let open: FileHandle | null = null;
  /** Whether the current entry's data is being collected. */
  let taking = false;
  const reader = new TarReader({
    entry(e) {
      const name = e.path;
      const place = e.type === 'file' ? placeOf(name, o.parts) : null;
      taking = place !== null;
      if (!place) {
        const known = name === 'files' || name.startsWith('files/') || (isOtherPart(name) && (e.type === 'directory' || !/^(databases|mail|dns)\//.test(name)));
        if (!known && /^(databases|mail|dns)\//.test(name) && o.parts.some((p) => name.startsWith(`${p}/`))) {
          o.warn({ code: RESTORE_WARNINGS.outside, path: name, message: 'unexpected entry in the archive skipped' });
        }
        return;
      }
      const file = path.join(o.workDir, place.rel);
      work.push(async () => {
        await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        open = await fsp.open(file, 'wx', 0o600);
      });
      if (place.kind === 'databases') out.databases.set(place.key, file);
      else if (place.kind === 'dns') out.zones.set(place.key, file);
      else out.mailboxes.set(place.key, path.join(o.workDir, 'mail', place.key));
    },
    data(piece) {
      if (taking) work.push(() => open!.writeFile(piece));
    },
    entryEnd() {
      if (!taking) return;
      taking = false;
      work.push(async () => { const f = open!; open = null; await f.close(); });
    },
  });
  try {
    for await (const chunk of tarBytes(o.source)) {
      o.signal?.throwIfAborted();
      reader.push(chunk);
      for (const step of work.splice(0)) await step();
    }
    reader.end();
  } finally {
    await (open as FileHandle | null)?.close();
  }
  return out;
}
