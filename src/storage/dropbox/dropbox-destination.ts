// Dropbox over its HTTP API (no SDK). Short-lived access tokens come from the app's refresh
// token and are renewed before they expire or when Dropbox says one has. Bodies up to one chunk
// go in a single upload; larger ones through an upload session, which creates nothing until
// it is finished. Dropbox's content_hash is checked against what was sent.
import { once } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import got, { type Got } from 'got';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { AgentError, type ErrorCode } from '../../errors/index.ts';
import { destError } from '../errors.ts';
import { Limiter } from '../limiter.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange } from '../names.ts';
import { CHUNK_RETRY } from '../chunk-retry.ts';
import { withRetries } from '../wrappers/retry.ts';
import { byName } from '../../core/by-name.ts';
import { apiArg } from './api-arg.ts';
import { DropboxContentHasher } from './content-hash.ts';
import type { DropboxSettings } from './settings.ts';

interface FileMetadata {
  '.tag': 'file' | 'folder' | 'deleted';
  name: string;
  path_display: string;
  size?: number;
  server_modified?: string;
  content_hash?: string;
}

/** A Dropbox API failure, with what classification needs. */
class DropboxApiError extends Error {
  readonly status: number;
  readonly dropboxSummary: string;
  constructor(status: number, summary: string) {
    super(summary ? `HTTP ${status}: ${summary}` : `HTTP ${status}`);
    this.status = status;
    this.dropboxSummary = summary;
  }
}

export class DropboxDestination implements Destination {
  readonly type = 'dropbox';
  readonly name: string;
  readonly #s: DropboxSettings;
  readonly #http: Got;
  readonly #limiter: Limiter;
  readonly #base: string;
  #token: { value: string; expiresAt: number } | undefined;
  #refreshing: Promise<string> | undefined;

  constructor(name: string, settings: DropboxSettings) {
    this.name = name;
    this.#s = settings;
    this.#base = settings.path.split('/').filter(Boolean).map((p) => `/${p}`).join('');
    this.#limiter = new Limiter(settings.concurrency);
    // Retries are the retry wrapper's concern.
    // No pooled sockets: a socket the server closes as a request goes out fails that request.
    this.#http = got.extend({
      retry: { limit: 0 }, throwHttpErrors: false, timeout: { connect: 10_000, response: 120_000 },
      agent: { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false }) },
    });
  }

  #path(name: string): string {
    return `${this.#base}/${checkName(name)}`;
  }

  #fail(err: unknown, op: string): never {
    const summary = (err as { dropboxSummary?: string }).dropboxSummary ?? '';
    const status = (err as { status?: number }).status;
    const forced: ErrorCode | undefined =
      /not_found/.test(summary) ? 'AGENT_E_DEST_NOT_FOUND'
      : /insufficient_space/.test(summary) ? 'AGENT_E_NO_SPACE'
      : /invalid_grant|invalid_client|invalid_access_token|expired_access_token/.test(summary) || status === 401 ? 'AGENT_E_DEST_AUTH'
      : /no_write_permission|disallowed_name|restricted_content|missing_scope/.test(summary) || status === 403 ? 'AGENT_E_DEST_PERMISSION'
      : undefined;
    throw destError(err, { backend: 'dropbox', op, secrets: [this.#s.appSecret, this.#s.refreshToken, this.#token?.value] }, forced);
  }

  async #accessToken(force = false): Promise<string> {
    if (!force && this.#token && this.#token.expiresAt - Date.now() > 60_000) return this.#token.value;
    this.#refreshing ??= (async () => {
      try {
        const res = await this.#http.post(`${this.#s.apiUrl}/oauth2/token`, {
          form: { grant_type: 'refresh_token', refresh_token: this.#s.refreshToken },
          username: this.#s.appKey,
          password: this.#s.appSecret,
        });
        const body = parseJson(res.body) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
        if (res.statusCode !== 200 || !body.access_token) {
          throw new DropboxApiError(res.statusCode === 200 ? 401 : res.statusCode, body.error ?? 'no access token in the answer');
        }
        this.#token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 14_400) * 1000 };
        return body.access_token;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** One API call with a fresh token; renews the token once if Dropbox says it expired. */
  async #call<T>(host: 'api' | 'content', endpoint: string, options: { json?: unknown; arg?: unknown; body?: Buffer }): Promise<T> {
    return this.#limiter.run(async () => {
      for (let attempt = 0; ; attempt++) {
        const token = await this.#accessToken(attempt > 0);
        const url = `${host === 'api' ? this.#s.apiUrl : this.#s.contentUrl}/2/${endpoint}`;
        const res = await this.#http.post(url, {
          headers: {
            authorization: `Bearer ${token}`,
            ...(options.arg !== undefined ? { 'dropbox-api-arg': apiArg(options.arg), 'content-type': 'application/octet-stream' } : {}),
          },
          ...(options.json !== undefined ? { json: options.json } : { body: options.body ?? Buffer.alloc(0) }),
        });
        if (res.statusCode === 200) return parseJson(res.body) as T;
        const err = apiError(res.statusCode, res.body);
        if (res.statusCode === 401 && attempt === 0 && /expired_access_token/.test(err.dropboxSummary)) continue;
        throw err;
      }
    });
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const path = this.#path(name);
    const metered = meter(body);
    const hasher = new DropboxContentHasher();
    const chunkSize = this.#s.chunkSizeMB * 1024 * 1024;
    const commit = { path, mode: 'overwrite', autorename: false, mute: true };
    let stored: FileMetadata;
    try {
      let session: string | undefined;
      let offset = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      // Each chunk is in memory, so a failed call is retried (see chunk-retry.ts).
      const send = <T>(endpoint: string, arg: unknown, data: Buffer) =>
        withRetries(this, `put ${name}`, CHUNK_RETRY, () => this.#call<T>('content', endpoint, { arg, body: data }).catch((err: unknown) => this.#fail(err, `put ${name}`)), options.signal);
      const flushChunk = async (data: Buffer) => {
        if (session === undefined) {
          session = (await send<{ session_id: string }>('files/upload_session/start', { close: false }, data)).session_id;
        } else {
          await send('files/upload_session/append_v2', { cursor: { session_id: session, offset }, close: false }, data);
        }
        offset += data.length;
      };
      for await (const chunk of metered) {
        options.signal?.throwIfAborted();
        hasher.update(chunk as Buffer);
        pending.push(chunk as Buffer);
        pendingBytes += (chunk as Buffer).length;
        while (pendingBytes > chunkSize) {
          const all = Buffer.concat(pending);
          await flushChunk(all.subarray(0, chunkSize));
          pending = [all.subarray(chunkSize)];
          pendingBytes = pending[0].length;
        }
      }
      const last = Buffer.concat(pending);
      stored = session === undefined
        ? await send<FileMetadata>('files/upload', commit, last)
        : await send<FileMetadata>('files/upload_session/finish', { cursor: { session_id: session, offset }, commit }, last);
    } catch (err) {
      body.destroy();
      const source = metered.sourceFailure();
      if (source) throw source;
      this.#fail(err, `put ${name}`);
    }
    const sent = hasher.digest();
    if (stored.size !== metered.bytes || (stored.content_hash && stored.content_hash !== sent)) {
      await this.delete(name).catch(() => {});
      throw new AgentError('AGENT_E_DEST_INTEGRITY', `dropbox: put ${name}: Dropbox stored ${stored.size} bytes with content_hash ${stored.content_hash}, sent ${metered.bytes} bytes with ${sent}`, { data: { backend: 'dropbox' } });
    }
    return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: Date.parse(stored.server_modified ?? '') || Date.now() };
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const path = this.#path(name);
    const { offset, length } = checkRange(options.offset, options.length);
    const st = await this.stat(name);
    if (!st) this.#fail(new DropboxApiError(409, 'path/not_found/'), `get ${name}`);
    if (length === 0 || offset >= st.size) return Readable.from([]);
    const end = length === undefined ? st.size - 1 : Math.min(st.size, offset + length) - 1;
    try {
      const token = await this.#accessToken();
      const stream = this.#http.stream.post(`${this.#s.contentUrl}/2/files/download`, {
        headers: {
          authorization: `Bearer ${token}`,
          'dropbox-api-arg': apiArg({ path }),
          ...(offset > 0 || end < st.size - 1 ? { range: `bytes=${offset}-${end}` } : {}),
        },
        signal: options.signal,
      });
      stream.end(); // a download has no request body
      const [res] = await once(stream, 'response') as [{ statusCode: number }];
      if (res.statusCode !== 200 && res.statusCode !== 206) {
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        throw apiError(res.statusCode, Buffer.concat(chunks).toString());
      }
      const out = new Readable({ read() { stream.resume(); } });
      stream.on('data', (c: Buffer) => { if (!out.push(c)) stream.pause(); });
      stream.on('end', () => out.push(null));
      stream.on('error', (err) => out.destroy(destError(err, { backend: 'dropbox', op: `get ${name}` })));
      out.on('close', () => stream.destroy());
      return out;
    } catch (err) {
      this.#fail(err, `get ${name}`);
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    const path = this.#path(name);
    try {
      const m = await this.#call<FileMetadata>('api', 'files/get_metadata', { json: { path } });
      return m['.tag'] === 'file' ? { name, size: m.size ?? 0, modifiedAt: Date.parse(m.server_modified ?? '') || undefined } : null;
    } catch (err) {
      if (/not_found/.test((err as { dropboxSummary?: string }).dropboxSummary ?? '')) return null;
      this.#fail(err, `stat ${name}`);
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const root = `${this.#base}/`.toLowerCase();
    try {
      let page = await this.#call<{ entries: FileMetadata[]; cursor: string; has_more: boolean }>('api', 'files/list_folder', { json: { path: this.#base, recursive: true } });
      for (;;) {
        for (const e of page.entries) {
          if (e['.tag'] !== 'file' || !e.path_display.toLowerCase().startsWith(root)) continue;
          const name = e.path_display.slice(root.length);
          if (name.startsWith(prefix)) out.push({ name, size: e.size ?? 0, modifiedAt: Date.parse(e.server_modified ?? '') || undefined });
        }
        if (!page.has_more) break;
        page = await this.#call('api', 'files/list_folder/continue', { json: { cursor: page.cursor } });
      }
    } catch (err) {
      if (/not_found/.test((err as { dropboxSummary?: string }).dropboxSummary ?? '')) return [];
      this.#fail(err, 'list');
    }
    return out.sort(byName);
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#call('api', 'files/delete_v2', { json: { path: this.#path(name) } });
    } catch (err) {
      if (/not_found/.test((err as { dropboxSummary?: string }).dropboxSummary ?? '')) return;
      this.#fail(err, `delete ${name}`);
    }
  }

  async close(): Promise<void> {}
}

function parseJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return {}; }
}

function apiError(status: number, body: string): DropboxApiError {
  const parsed = parseJson(body) as { error_summary?: string; error?: unknown; error_description?: string };
  const summary = parsed.error_summary ?? (typeof parsed.error === 'string' ? parsed.error : '') ?? '';
  return new DropboxApiError(status, summary || body.slice(0, 200));
}
