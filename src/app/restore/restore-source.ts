// Where a restore reads its snapshot from: the spool copy when all its parts are there, then
// each destination holding a stored copy of every part, in the order they were stored, or only
// the destination the request names. The first copy that passes verification is the one
// restored from, so nothing is written from a copy that was not checked end to end: against
// the sha256 recorded when this agent wrote it, or, for an imported archive, file by file.
import fs from 'node:fs';
import { AgentError, toAgentError } from '../../errors/index.ts';
import type { SnapshotRow } from '../../core/model.ts';
import type { SourceWarning } from '../../core/index.ts';
import type { Destination } from '../../core/destination.ts';
import { checkRecordedSha256, localArchive, verifyArchive, type ArchiveSource, type VerifyResult } from '../../archive/index.ts';
import { destinationArchive } from '../../restore/destination-source.ts';
import { RESTORE_WARNINGS } from '../../restore/warnings.ts';
import type { SpoolLayout } from '../backup/spool-layout.ts';

export type SnapshotCopy =
  | { kind: 'spool'; origin: 'spool'; paths: string[] }
  | { kind: 'destination'; origin: string; objects: string[] };

/** The copies of a snapshot a restore may read, in the order they are tried. */
function snapshotCopies(snap: SnapshotRow, spool: SpoolLayout, from?: string): SnapshotCopy[] {
  const copies: SnapshotCopy[] = [];
  const paths = spool.paths(snap);
  if (from === undefined && paths.length > 0 && paths.every((p) => fs.existsSync(p))) copies.push({ kind: 'spool', origin: 'spool', paths });
  const destinations = [...new Set(snap.locations.map((l) => l.destination))].filter((d) => from === undefined || d === from);
  for (const d of destinations) {
    const stored = new Set(snap.locations.filter((l) => l.destination === d && l.status === 'stored').map((l) => l.object));
    if (snap.parts.every((p) => stored.has(p))) copies.push({ kind: 'destination', origin: d, objects: [...snap.parts] });
  }
  return copies;
}

/** The copies a request may read; refuses one no copy can serve (checked before a job is queued, and again when it runs). */
export function readableCopies(snap: SnapshotRow, spool: SpoolLayout, from?: string): SnapshotCopy[] {
  const copies = snapshotCopies(snap, spool, from);
  if (copies.length > 0) return copies;
  if (from !== undefined) {
    throw new AgentError('AGENT_E_NOT_FOUND', `snapshot ${snap.id} has no stored copy at destination ${from}`, { data: { field: 'source.destination' } });
  }
  throw new AgentError('AGENT_E_NOT_FOUND', `snapshot ${snap.id} has no copy left: not in the spool and not stored at any destination`);
}

export interface VerifiedSource {
  source: ArchiveSource;
  checked: VerifyResult;
  close(): Promise<void>;
}

export interface ChooseSourceOptions {
  snap: SnapshotRow;
  spool: SpoolLayout;
  /** Only this destination, when the request names one. */
  from?: string;
  openDestination(name: string): Promise<Destination>;
  signal?: AbortSignal;
  warn(w: SourceWarning): void;
  onTry?(origin: string): void;
}

/**
 * Verifies the copies in order and returns the first sound one. When every copy fails, the
 * last failure is thrown (AGENT_E_ARCHIVE_CORRUPT, AGENT_E_DEST_UNAVAILABLE, ...); the others
 * were reported as warnings.
 */
export async function chooseVerifiedSource(o: ChooseSourceOptions): Promise<VerifiedSource> {
  const copies = readableCopies(o.snap, o.spool, o.from);
  let last: AgentError | undefined;
  for (const copy of copies) {
    o.signal?.throwIfAborted();
    o.onTry?.(copy.origin);
    let dest: Destination | null = null;
    try {
      let source: ArchiveSource;
      if (copy.kind === 'spool') {
        source = localArchive(copy.paths, o.snap.compression);
      } else {
        dest = await o.openDestination(copy.origin);
        source = destinationArchive({ dest, objects: copy.objects, compression: o.snap.compression, sha256: o.snap.sha256, signal: o.signal });
      }
      // What this agent wrote is checked against the sha256 it recorded; an import, made
      // elsewhere, is decoded and checked file by file.
      const checked = o.snap.trigger === 'import'
        ? await verifyArchive(source, { sha256: o.snap.sha256, signal: o.signal })
        : await checkRecordedSha256(source, o.snap, o.signal);
      const opened = dest;
      return { source, checked, close: async () => { await opened?.close().catch(() => {}); } };
    } catch (err) {
      await dest?.close().catch(() => {});
      last = toAgentError(err);
      if (o.signal?.aborted || last.code === 'AGENT_E_CANCELLED') throw last;
      if (copies.length > 1) o.warn({ code: RESTORE_WARNINGS.source, path: copy.origin, message: `the copy at ${copy.origin} could not be used: ${last.code}: ${last.message}` });
    }
  }
  throw last!;
}
