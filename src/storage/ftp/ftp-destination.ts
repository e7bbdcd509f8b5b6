// FTP and FTPS through basic-ftp. A control connection runs one command at a time, so calls are
// queued on one shared connection (re-opened after it drops); downloads get their own
// connection so a slow reader never blocks uploads. Uploads go to a hidden partial name and
// are renamed over the target when complete.
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { Client, type FileInfo } from 'basic-ftp';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { destError } from '../errors.ts';
import { invalidSetting } from '../invalid.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange } from '../names.ts';
import { partialName } from '../partial-name.ts';
import { listTree } from '../list-tree.ts';
import type { FtpSettings } from './settings.ts';

interface Connection {
  client: Client;
  base: string;
}

export class FtpDestination implements Destination {
  readonly type = 'ftp';
  readonly name: string;
  readonly #s: FtpSettings;
  #shared: Promise<Connection> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(name: string, settings: FtpSettings) {
    this.name = name;
    this.#s = settings;
    if (!settings.passive) throw invalidSetting('ftp', 'passive', 'must be true: active mode is not supported (it needs inbound connections to this host)');
  }

  #fail(err: unknown, op: string): never {
    throw destError(err, { backend: 'ftp', op, secrets: [this.#s.password] });
  }

  async #connect(): Promise<Connection> {
    const s = this.#s;
    const client = new Client(s.timeoutSeconds * 1000);
    try {
      await client.access({
        host: s.host,
        port: s.port ?? (s.tls === 'implicit' ? 990 : 21),
        user: s.user,
        password: s.password,
        secure: s.tls === 'none' ? false : s.tls === 'implicit' ? 'implicit' : true,
        secureOptions: { rejectUnauthorized: !s.insecure, ...(isIP(s.host) ? {} : { servername: s.host }) },
      });
      const home = await client.pwd();
      const base = posix.resolve(home, s.path || '.');
      await client.ensureDir(base);
      return { client, base };
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Runs `fn` on the shared connection, one call at a time; a failure closes the connection. */
  #run<T>(op: string, fn: (c: Connection) => Promise<T>): Promise<T> {
    const task = this.#queue.then(async () => {
      // A connection the server closed while idle is replaced before use.
      if (this.#shared && await this.#shared.then((c) => c.client.closed, () => true)) this.#shared = undefined;
      this.#shared ??= this.#connect();
      const shared = this.#shared;
      let conn: Connection;
      try {
        conn = await shared;
      } catch (err) {
        if (this.#shared === shared) this.#shared = undefined;
        this.#fail(err, op);
      }
      try {
        return await fn(conn);
      } catch (err) {
        // An FTP reply (4xx/5xx) leaves the connection usable; anything else may not.
        if (typeof (err as { code?: unknown }).code !== 'number') {
          conn.client.close();
          if (this.#shared === shared) this.#shared = undefined;
        }
        this.#fail(err, op);
      }
    });
    this.#queue = task.catch(() => {});
    return task;
  }

  #path(base: string, name: string): string {
    return `${base.replace(/\/+$/, '')}/${checkName(name)}`;
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    checkName(name);
    const metered = meter(body);
    let temp: string | undefined;
    try {
      await this.#run(`put ${name}`, async ({ client, base }) => {
        const target = this.#path(base, name);
        const dir = posix.dirname(target);
        temp = `${dir}/${partialName(name).split('/').pop()}`;
        if (dir !== base) {
          await client.ensureDir(dir);
          await client.cd(base);
        }
        const abort = () => client.close();
        options.signal?.addEventListener('abort', abort, { once: true });
        try {
          await client.uploadFrom(this.#s.tls === 'none' ? metered : lateEmptyEnd(metered), temp);
        } finally {
          options.signal?.removeEventListener('abort', abort);
        }
        // basic-ftp may finish the upload of a source that failed part-way.
        if (metered.errored) throw metered.errored;
        await client.rename(temp, target);
        temp = undefined;
      });
    } catch (err) {
      body.destroy();
      const leftover = temp;
      if (leftover) await this.#run('remove partial', ({ client }) => client.remove(leftover, true)).catch(() => {});
      throw metered.sourceFailure() ?? err;
    }
    return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: Date.now() };
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    checkName(name);
    const { offset, length } = checkRange(options.offset, options.length);
    const st = await this.stat(name);
    if (!st) this.#fail(Object.assign(new Error(`${name}: no such file`), { code: 550 }), `get ${name}`);
    if (length === 0 || offset >= st.size) return Readable.from([]);
    let conn: Connection;
    try {
      conn = await this.#connect();
    } catch (err) {
      this.#fail(err, `get ${name}`);
    }
    const out = new PassThrough();
    const want = length === undefined ? st.size - offset : Math.min(length, st.size - offset);
    let got = 0;
    // Stops the transfer once the range is complete: closing the connection is FTP's only way.
    const limiter = new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        const room = want - got;
        if (room <= 0) return done();
        const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
        got += piece.length;
        this.push(piece);
        if (got >= want) { this.push(null); conn.client.close(); }
        done();
      },
    });
    limiter.pipe(out);
    options.signal?.addEventListener('abort', () => { conn.client.close(); out.destroy(options.signal!.reason); }, { once: true });
    out.on('close', () => conn.client.close());
    conn.client.downloadTo(limiter, this.#path(conn.base, name), offset).then(
      () => { if (!limiter.writableEnded) limiter.end(); conn.client.close(); },
      (err: unknown) => {
        conn.client.close();
        if (got < want) out.destroy(destError(err, { backend: 'ftp', op: `get ${name}`, secrets: [this.#s.password] }));
      },
    );
    return out;
  }

  async stat(name: string): Promise<StoredObject | null> {
    checkName(name);
    return this.#run(`stat ${name}`, async ({ client, base }) => {
      const path = this.#path(base, name);
      // LIST of the parent, not SIZE: SIZE cannot tell a missing file from a directory.
      const entries = await listDir(client, posix.dirname(path));
      const e = entries.find((x) => x.name === posix.basename(path));
      return e && e.isFile ? { name, size: e.size, modifiedAt: e.modifiedAt?.getTime() } : null;
    });
  }

  list(prefix = ''): Promise<StoredObject[]> {
    return this.#list(prefix, false);
  }

  /** Hidden partial objects that failed uploads left behind (see partial-name.ts). */
  listPartials(prefix = ''): Promise<StoredObject[]> {
    return this.#list(prefix, true);
  }

  #list(prefix: string, partials: boolean): Promise<StoredObject[]> {
    return this.#run('list', ({ client, base }) => listTree(base.replace(/\/+$/, ''), async (dir) => (await listDir(client, dir)).map((e) => ({
      name: e.name,
      path: `${dir}/${e.name}`,
      type: e.isDirectory ? 'directory' : e.isFile ? 'file' : 'other',
      size: e.size,
      modifiedAt: e.modifiedAt?.getTime(),
    })), prefix, partials));
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    await this.#run(`delete ${name}`, async ({ client, base }) => {
      const path = this.#path(base, name);
      try {
        await client.remove(path);
      } catch (err) {
        // 550 means missing or refused; only a file that is still there is a failure.
        const still = (await listDir(client, posix.dirname(path))).some((e) => e.name === posix.basename(path));
        if (still) throw err;
      }
    });
  }

  async close(): Promise<void> {
    const shared = this.#shared;
    this.#shared = undefined;
    if (shared) await shared.then((c) => c.client.close(), () => {});
  }
}

/**
 * vsftpd answers a TLS data connection that is closed in the same instant its handshake
 * completes with a decode-error alert, which is what an empty upload does. Ending an empty
 * body a moment later avoids it; non-empty bodies pass untouched.
 */
class LateEmptyEnd extends Transform {
  #bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    if (this.#bytes > 0) done();
    else setTimeout(done, 20);
  }
}

function lateEmptyEnd(source: Readable): Readable {
  const late = new LateEmptyEnd();
  source.on('error', (err) => late.destroy(err));
  return source.pipe(late);
}

/** Entries of a directory; a missing directory is empty. */
async function listDir(client: Client, dir: string): Promise<FileInfo[]> {
  try {
    // cd first: LIST with a path containing spaces is ambiguous on many servers.
    await client.cd(dir);
  } catch (err) {
    if ((err as { code?: unknown }).code === 550) return [];
    throw err;
  }
  const entries = await client.list();
  return entries.filter((e) => e.name !== '.' && e.name !== '..');
}
