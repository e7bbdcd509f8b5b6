// SFTP over ssh2. One connection is kept and re-opened after it drops. Uploads go to a hidden
// partial name and are renamed over the target (posix-rename) when complete.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, type ConnectConfig, type SFTPWrapper, type Stats } from 'ssh2';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { AgentError } from '../../errors/index.ts';
import { destError } from '../errors.ts';
import { invalidSetting } from '../invalid.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange } from '../names.ts';
import { partialName } from '../partial-name.ts';
import { listTree } from '../list-tree.ts';
import { fingerprintOf, hostKeyMatches, isValidPin } from './host-key.ts';
import type { SftpSettings } from './settings.ts';

// ssh2's `utils` is not visible to ESM named-import detection.
const { utils } = createRequire(import.meta.url)('ssh2') as typeof import('ssh2');

interface Session {
  conn: Client;
  sftp: SFTPWrapper;
  base: string;
  /** Streams in flight; ssh2 leaves them hanging when the connection dies, so we end them. */
  streams: Set<{ destroy(err?: Error): unknown }>;
  /** Rejects when the connection is lost: ssh2 never answers SFTP requests still pending then. */
  lost: Promise<never>;
  /** Directories known to exist, so each upload does not walk the path again. */
  dirs: Set<string>;
}

const NO_SUCH_FILE = 2;

export class SftpDestination implements Destination {
  readonly type = 'sftp';
  readonly name: string;
  readonly #s: SftpSettings;
  readonly #privateKey: Buffer | undefined;
  #session: Promise<Session> | undefined;
  /** The fingerprint the server presented last, so a trust-on-first-use key can be pinned. */
  seenHostKey: string | undefined;

  constructor(name: string, settings: SftpSettings) {
    this.name = name;
    this.#s = settings;
    if (settings.password === undefined && !settings.identityFile) throw invalidSetting('sftp', 'password', 'or identityFile is required');
    if (settings.hostKey && !isValidPin(settings.hostKey)) throw invalidSetting('sftp', 'hostKey', 'must be a SHA256:... fingerprint or a known_hosts line');
    if (settings.identityFile) {
      try {
        this.#privateKey = readFileSync(settings.identityFile);
      } catch (err) {
        throw invalidSetting('sftp', 'identityFile', `cannot be read: ${(err as Error).message}`);
      }
      const parsed = utils.parseKey(this.#privateKey, settings.identityPassphrase);
      if (parsed instanceof Error) {
        throw invalidSetting('sftp', settings.identityPassphrase === undefined ? 'identityFile' : 'identityPassphrase', `does not open the key: ${parsed.message}`);
      }
    }
  }

  #secrets(): (string | undefined)[] {
    return [this.#s.password, this.#s.identityPassphrase];
  }

  #fail(err: unknown, op: string): never {
    throw destError(err, { backend: 'sftp', op, secrets: this.#secrets() });
  }

  #connect(onDrop: () => void): Promise<Session> {
    const s = this.#s;
    return new Promise<Session>((resolve, reject) => {
      const conn = new Client();
      let hostKeyProblem: string | undefined;
      const config: ConnectConfig = {
        host: s.host,
        port: s.port,
        username: s.user,
        readyTimeout: s.timeoutSeconds * 1000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        ...(s.password !== undefined ? { password: s.password } : {}),
        ...(this.#privateKey ? { privateKey: this.#privateKey, passphrase: s.identityPassphrase } : {}),
        hostVerifier: (key: Buffer) => {
          const seen = fingerprintOf(key);
          this.seenHostKey = seen;
          if (s.hostKey) {
            if (hostKeyMatches(s.hostKey, key)) return true;
            hostKeyProblem = `the host key ${seen} does not match the pinned key`;
            return false;
          }
          if (s.trustOnFirstUse) return true;
          hostKeyProblem = `the host key ${seen} is unknown; pin it in hostKey or enable trustOnFirstUse`;
          return false;
        },
      };
      const fail = (err: unknown) => {
        conn.end();
        if (hostKeyProblem) {
          reject(new AgentError('AGENT_E_DEST_HOST_KEY', `sftp: ${s.host}:${s.port}: ${hostKeyProblem}`, { data: { backend: 'sftp', fingerprint: this.seenHostKey } }));
        } else {
          reject(destError(err, { backend: 'sftp', op: `connect ${s.user}@${s.host}:${s.port}`, secrets: this.#secrets() }));
        }
      };
      conn.once('error', fail);
      conn.once('ready', () => {
        conn.sftp((err, sftp) => {
          if (err) return fail(err);
          conn.removeListener('error', fail);
          // Any later failure of the connection drops the session; the next call reconnects.
          const streams = new Set<{ destroy(err?: Error): unknown }>();
          let rejectLost!: (err: Error) => void;
          const lostPromise = new Promise<never>((_, reject) => { rejectLost = reject; });
          lostPromise.catch(() => {});
          const lost = () => {
            onDrop();
            const err = Object.assign(new Error('the connection to the SFTP server was lost'), { code: 'ECONNRESET' });
            rejectLost(err);
            for (const st of streams) st.destroy(err);
            streams.clear();
          };
          conn.on('error', lost);
          conn.on('close', lost);
          // A server that dies half-closes the socket; ssh2 reports 'end' and waits.
          conn.on('end', () => { lost(); conn.destroy(); });
          sftp.realpath('.', (err2, home) => {
            if (err2) return fail(err2);
            const base = posix.resolve(home, s.path);
            mkdirs(sftp, base).then(() => resolve({ conn, sftp, base, streams, lost: lostPromise, dirs: new Set([base]) }), fail);
          });
        });
      });
      try {
        conn.connect(config);
      } catch (err) {
        fail(err);
      }
    });
  }

  #open(): Promise<Session> {
    if (!this.#session) {
      const p: Promise<Session> = this.#connect(() => { if (this.#session === p) this.#session = undefined; });
      this.#session = p;
      p.catch(() => { if (this.#session === p) this.#session = undefined; });
    }
    return this.#session;
  }

  async #with<T>(op: string, fn: (s: Session) => Promise<T>): Promise<T> {
    const session = await this.#open();
    try {
      return await Promise.race([fn(session), session.lost]);
    } catch (err) {
      this.#fail(err, op);
    }
  }

  #path(session: Session, name: string): string {
    return `${session.base.replace(/\/+$/, '')}/${checkName(name)}`;
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    checkName(name);
    return this.#with(`put ${name}`, async (session) => {
      const target = this.#path(session, name);
      const dir = target.slice(0, target.lastIndexOf('/'));
      const temp = `${dir}/${partialName(name).split('/').pop()}`;
      const metered = meter(body);
      try {
        if (!session.dirs.has(dir)) {
          await mkdirs(session.sftp, dir);
          session.dirs.add(dir);
        }
        const ws = session.sftp.createWriteStream(temp, { mode: 0o600 });
        session.streams.add(ws);
        try {
          await pipeline(metered, ws, { signal: options.signal });
        } finally {
          session.streams.delete(ws);
        }
        await call<void>((cb) => session.sftp.ext_openssh_rename(temp, target, cb));
      } catch (err) {
        body.destroy();
        session.sftp.unlink(temp, () => {});
        session.dirs.clear(); // a directory may have been removed behind our back
        throw metered.sourceFailure() ?? err;
      }
      return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: Date.now() };
    });
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    checkName(name);
    const { offset, length } = checkRange(options.offset, options.length);
    return this.#with(`get ${name}`, async (session) => {
      const path = this.#path(session, name);
      const st = await call<Stats>((cb) => session.sftp.stat(path, cb));
      if (length === 0 || offset >= st.size) return Readable.from([]);
      const end = length === undefined ? st.size - 1 : Math.min(st.size, offset + length) - 1;
      const rs = session.sftp.createReadStream(path, { start: offset, end });
      session.streams.add(rs);
      rs.on('close', () => session.streams.delete(rs));
      // Errors surface as the destination's classified errors, not raw SFTP status codes.
      const out = new Readable({ read() { rs.resume(); } });
      rs.on('data', (c: Buffer) => { if (!out.push(c)) rs.pause(); });
      rs.on('end', () => out.push(null));
      rs.on('error', (err: unknown) => out.destroy(destError(err, { backend: 'sftp', op: `get ${name}` })));
      options.signal?.addEventListener('abort', () => { rs.destroy(); out.destroy(options.signal!.reason); }, { once: true });
      out.on('close', () => rs.destroy());
      return out;
    });
  }

  async stat(name: string): Promise<StoredObject | null> {
    checkName(name);
    return this.#with(`stat ${name}`, async (session) => {
      try {
        const st = await call<Stats>((cb) => session.sftp.stat(this.#path(session, name), cb));
        return st.isFile() ? { name, size: st.size, modifiedAt: st.mtime * 1000 } : null;
      } catch (err) {
        if ((err as { code?: unknown }).code === NO_SUCH_FILE) return null;
        throw err;
      }
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
    return this.#with('list', (session) => listTree(session.base.replace(/\/+$/, '') || '/', async (dir) => {
      let entries;
      try {
        entries = await call<{ filename: string; attrs: Stats }[]>((cb) => session.sftp.readdir(dir, cb));
      } catch (err) {
        if ((err as { code?: unknown }).code === NO_SUCH_FILE) return [];
        throw err;
      }
      return entries.map((e) => ({
        name: e.filename,
        path: `${dir}/${e.filename}`,
        type: e.attrs.isDirectory() ? 'directory' : e.attrs.isFile() ? 'file' : 'other',
        size: e.attrs.size,
        modifiedAt: e.attrs.mtime * 1000,
      }));
    }, prefix, partials));
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    return this.#with(`delete ${name}`, async (session) => {
      try {
        await call<void>((cb) => session.sftp.unlink(this.#path(session, name), cb));
      } catch (err) {
        if ((err as { code?: unknown }).code !== NO_SUCH_FILE) throw err;
      }
    });
  }

  async close(): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    if (s) await s.then((x) => x.conn.end(), () => {});
  }
}

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

async function mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  const parts = dir.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    if (!p) continue;
    try {
      await call<void>((cb) => sftp.mkdir(p, cb));
    } catch {
      // Exists already, or not ours to create (a parent like /home); the stat below decides.
    }
  }
  const st = await call<Stats>((cb) => sftp.stat(dir, cb));
  if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 4 });
}
