import type http from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { SnapshotRow } from '../core/model.ts';
import type { DownloadLinkRow, Store } from '../core/store.ts';
import { parseRange } from './byte-range.ts';
import { hashSecret, sameHash, TOKEN_PATTERN } from './link-token.ts';
import { concatenatedRange } from './multi-file-stream.ts';

export const SESSION_HEADER = 'x-hostagent-session';
export const LINK_PREFIX = '/d/';

export interface DownloadHandlerDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The snapshot's archive files in order, with sizes. */
  files(s: SnapshotRow): { path: string; size: number }[];
  /** The download file name (the archive name, without .partNNN). */
  fileName(s: SnapshotRow): string;
  onCompleted(link: DownloadLinkRow, s: SnapshotRow): void;
}

function plain(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(`${text}\n`);
}

/**
 * GET/HEAD /d/<token>: a snapshot as one file, with single Range requests for resuming. The link
 * must be presented with the session it was made for; its token is only ever compared hashed.
 */
export function createDownloadHandler(deps: DownloadHandlerDeps) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://download');
    const token = url.pathname.startsWith(LINK_PREFIX) ? url.pathname.slice(LINK_PREFIX.length).split('/')[0]! : '';
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    if (!TOKEN_PATTERN.test(token)) return plain(res, 404, 'unknown download link');
    const tokenHash = hashSecret(token);
    const link = deps.store.downloadLinks.get(tokenHash);
    if (!link) return plain(res, 404, 'unknown download link');
    if (deps.clock.now() >= link.expiresAt) return plain(res, 410, 'this download link has expired; create a new one');
    const session = req.headers[SESSION_HEADER];
    if (typeof session !== 'string' || !sameHash(hashSecret(session), link.sessionHash)) {
      deps.log.warn({ snapshotId: link.snapshotId, account: link.account }, 'download refused: session does not match the link');
      return plain(res, 403, 'this link belongs to another session');
    }
    const snap = deps.store.snapshots.get(link.snapshotId);
    if (!snap) return plain(res, 410, 'the snapshot behind this link was deleted');
    let files: { path: string; size: number }[];
    try {
      files = deps.files(snap);
    } catch {
      return plain(res, 410, 'the snapshot behind this link is no longer in the spool');
    }
    const size = files.reduce((n, f) => n + f.size, 0);
    const etag = `"sha256-${snap.sha256}"`;
    const ifRange = req.headers['if-range'];
    const range = ifRange !== undefined && ifRange !== etag ? null : parseRange(req.headers.range, size);
    const headers: Record<string, string | number> = {
      'content-type': snap.compression === 'zstd' ? 'application/zstd' : 'application/gzip',
      'accept-ranges': 'bytes',
      etag,
      'last-modified': new Date(snap.createdAt).toUTCString(),
      'content-disposition': `attachment; filename="${deps.fileName(snap).replace(/["\\\r\n]/g, '_')}"`,
      'cache-control': 'no-store',
    };
    if (range === 'unsatisfiable') return void res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const status = range ? 206 : 200;
    res.writeHead(status, { ...headers, 'content-length': Math.max(0, end - start + 1), ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) });
    if (req.method === 'HEAD' || size === 0) return void res.end();
    const body = concatenatedRange(files, start, end);
    body.on('error', (err) => {
      deps.log.error({ err, snapshotId: snap.id }, 'download stream failed');
      res.destroy(err);
    });
    res.on('close', () => body.destroy());
    res.on('finish', () => {
      // The body reached its last byte: the tenant has the whole archive (perhaps over several resumed requests).
      if (end === size - 1 && deps.store.downloadLinks.markCompleted(tokenHash, deps.clock.now())) deps.onCompleted(link, snap);
    });
    body.pipe(res);
  };
}
