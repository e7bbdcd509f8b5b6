// An HTTP double of the Dropbox API, holding files in memory: the OAuth2 refresh-token grant
// (with deliberately short-lived access tokens), files/upload, upload sessions (start,
// append_v2, finish), list_folder (+continue, small pages), get_metadata, download with Range,
// delete_v2. It checks what the real API checks and our client could get wrong: ASCII-only
// Dropbox-API-Arg headers, session offsets, expired tokens, content_hash. It is a double, not
// Dropbox; tests using it say so in their names.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DropboxContentHasher } from '../../src/storage/dropbox/content-hash.ts';
import { closeHard, trackConnections, type ConnectionControl } from './http-server.ts';
import { freePort } from './free-port.ts';

export interface DropboxDouble {
  url: string;
  appKey: string;
  appSecret: string;
  refreshToken: string;
  /** How many access tokens were handed out. */
  tokensIssued(): number;
  /** Expires every access token now, as Dropbox does after four hours. */
  expireTokens(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  cutUploads(count: number): void;
  armedCuts(): number;
  close(): Promise<void>;
}

interface StoredFile { path: string; data: Buffer; modified: string; }

const PAGE = 3;

export async function startDropboxDouble(options: { tokenLifetimeSeconds?: number } = {}): Promise<DropboxDouble> {
  const appKey = 'hat-app-key';
  const appSecret = `app-secret-${randomBytes(6).toString('hex')}`;
  const refreshToken = `refresh-${randomBytes(12).toString('hex')}`;
  const lifetime = options.tokenLifetimeSeconds ?? 14_400;
  const tokens = new Map<string, number>();
  const files = new Map<string, StoredFile>();
  const sessions = new Map<string, Buffer[]>();
  let issued = 0;

  const meta = (f: StoredFile) => {
    const h = new DropboxContentHasher();
    h.update(f.data);
    return { '.tag': 'file', name: f.path.split('/').pop(), path_display: f.path, path_lower: f.path.toLowerCase(), id: `id:${f.path.length}`, size: f.data.length, server_modified: f.modified, content_hash: h.digest() };
  };
  const folderExists = (path: string) => path === '' || [...files.keys()].some((k) => k.startsWith(path.toLowerCase() + '/'));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const conflict = (summary: string) => send(409, { error_summary: summary, error: { '.tag': summary.split('/')[0] } });
    const url = req.url ?? '';

    if (url === '/oauth2/token') {
      const form = new URLSearchParams(body.toString());
      const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      const [id, secret] = basic.includes(':') ? [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)] : [form.get('client_id'), form.get('client_secret')];
      if (id !== appKey || secret !== appSecret) return send(400, { error: 'invalid_client', error_description: 'Invalid client_id or client_secret' });
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken) return send(400, { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' });
      const token = `sl.${randomBytes(16).toString('hex')}`;
      tokens.set(token, Date.now() + lifetime * 1000);
      issued++;
      return send(200, { access_token: token, token_type: 'bearer', expires_in: lifetime });
    }

    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const until = tokens.get(bearer);
    if (until === undefined) return send(401, { error_summary: 'invalid_access_token/', error: { '.tag': 'invalid_access_token' } });
    if (until < Date.now()) return send(401, { error_summary: 'expired_access_token/', error: { '.tag': 'expired_access_token' } });

    let arg: any;
    const rawArg = req.headers['dropbox-api-arg'];
    if (typeof rawArg === 'string') {
      if (/[^\x20-\x7e]/.test(rawArg)) return send(400, 'Error in call: Dropbox-API-Arg header must be ASCII');
      arg = JSON.parse(rawArg);
    } else if (body.length && req.headers['content-type']?.startsWith('application/json')) {
      arg = JSON.parse(body.toString());
    }
    const path = typeof arg?.path === 'string' ? arg.path : '';
    const key = path.toLowerCase();

    switch (url) {
      case '/2/files/upload':
      case '/2/files/upload_session/finish': {
        let data = body;
        const commit = url.endsWith('finish') ? arg.commit : arg;
        if (url.endsWith('finish')) {
          const parts = sessions.get(arg.cursor.session_id);
          if (!parts) return conflict('lookup_failed/not_found/');
          const have = parts.reduce((n, b) => n + b.length, 0);
          if (have !== arg.cursor.offset) return conflict(`lookup_failed/incorrect_offset/`);
          data = Buffer.concat([...parts, body]);
          sessions.delete(arg.cursor.session_id);
        }
        if (!commit.path.startsWith('/')) return send(400, 'Error in call: path must start with /');
        const f = { path: commit.path, data, modified: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
        files.set(commit.path.toLowerCase(), f);
        return send(200, meta(f));
      }
      case '/2/files/upload_session/start': {
        const id = randomBytes(8).toString('hex');
        sessions.set(id, [body]);
        return send(200, { session_id: id });
      }
      case '/2/files/upload_session/append_v2': {
        const parts = sessions.get(arg.cursor.session_id);
        if (!parts) return conflict('lookup_failed/not_found/');
        const have = parts.reduce((n, b) => n + b.length, 0);
        if (have !== arg.cursor.offset) return conflict('incorrect_offset/');
        parts.push(body);
        return send(200, null);
      }
      case '/2/files/get_metadata': {
        const f = files.get(key);
        if (f) return send(200, meta(f));
        if (folderExists(key)) return send(200, { '.tag': 'folder', name: path.split('/').pop(), path_display: path });
        return conflict('path/not_found/');
      }
      case '/2/files/list_folder':
      case '/2/files/list_folder/continue': {
        const state = url.endsWith('continue') ? JSON.parse(Buffer.from(arg.cursor, 'base64url').toString()) : { path: key, recursive: !!arg.recursive, offset: 0 };
        if (!folderExists(state.path)) return conflict('path/not_found/');
        const all = [...files.values()].filter((f) => f.path.toLowerCase().startsWith(state.path + '/') && (state.recursive || !f.path.slice(state.path.length + 1).includes('/')))
          .sort((a, b) => (a.path < b.path ? -1 : 1));
        const entries = all.slice(state.offset, state.offset + PAGE).map(meta);
        const next = { ...state, offset: state.offset + PAGE };
        return send(200, { entries, cursor: Buffer.from(JSON.stringify(next)).toString('base64url'), has_more: next.offset < all.length });
      }
      case '/2/files/download': {
        const f = files.get(key);
        if (!f) return conflict('path/not_found/');
        const headers = { 'content-type': 'application/octet-stream', 'dropbox-api-result': JSON.stringify(meta(f)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) };
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (m) {
          const start = Number(m[1]);
          const end = m[2] ? Math.min(Number(m[2]), f.data.length - 1) : f.data.length - 1;
          if (start >= f.data.length) { res.writeHead(416, headers); return res.end(); }
          res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${f.data.length}` });
          return res.end(f.data.subarray(start, end + 1));
        }
        res.writeHead(200, headers);
        return res.end(f.data);
      }
      case '/2/files/delete_v2': {
        const f = files.get(key);
        if (f) { files.delete(key); return send(200, { metadata: meta(f) }); }
        if (key && folderExists(key)) {
          for (const k of [...files.keys()]) if (k.startsWith(key + '/')) files.delete(k);
          return send(200, { metadata: { '.tag': 'folder', path_display: path } });
        }
        return conflict('path_lookup/not_found/');
      }
      default:
        return send(400, `Unknown API function: ${url}`);
    }
  };

  const port = await freePort();
  let server: Server | undefined;
  let tracker: ConnectionControl | undefined;
  const start = async () => {
    const s = createServer((req, res) => { handle(req, res).catch((err) => { res.destroy(err); }); });
    tracker = trackConnections(s, (req) => (req.url ?? '').startsWith('/2/files/upload'));
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    server = s;
  };
  const stop = async () => { if (server) await closeHard(server, tracker!); server = undefined; };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    appKey, appSecret, refreshToken,
    tokensIssued: () => issued,
    expireTokens: () => { for (const k of tokens.keys()) tokens.set(k, 0); },
    start, stop,
    cutUploads: (n: number) => tracker!.cutUploads(n),
    armedCuts: () => tracker!.armedCuts(),
    close: stop,
  };
}
