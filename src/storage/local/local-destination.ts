// A directory on this host. Writes go to a hidden partial file, are fsynced and renamed.
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { AgentError } from '../../errors/index.ts';
import { destError } from '../errors.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange } from '../names.ts';
import { isPartialName, partialName } from '../partial-name.ts';
import { byName } from '../../core/by-name.ts';
import type { LocalSettings } from './settings.ts';
import { isMountPoint } from './mount-point.ts';

export class LocalDestination implements Destination {
  readonly type = 'local';
  readonly name: string;
  readonly #root: string;
  readonly #settings: LocalSettings;

  constructor(name: string, settings: LocalSettings) {
    this.name = name;
    this.#root = settings.directory;
    this.#settings = settings;
  }

  /**
   * The directory must exist (or `create` allows making it) and, with requireMountpoint, be a
   * mount point: a typo or an unmounted disk must not fill the root filesystem.
   */
  async checkTarget(): Promise<void> {
    const refuse = (why: string) => new AgentError('AGENT_E_DEST_NOT_FOUND', `local: directory ${this.#root} ${why}`, { data: { backend: 'local', field: 'directory' } });
    let st;
    try {
      st = await stat(this.#root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#fail(err, `stat ${this.#root}`);
    }
    if (!st) {
      if (!this.#settings.create) throw refuse('does not exist; create it or mount its disk, or set create: true');
      try { await mkdir(this.#root, { recursive: true, mode: 0o700 }); } catch (err) { this.#fail(err, `create ${this.#root}`); }
    } else if (!st.isDirectory()) {
      throw refuse('is not a directory');
    }
    if (this.#settings.requireMountpoint && !(await isMountPoint(this.#root))) {
      throw refuse('is not a mount point (requireMountpoint); is its disk mounted?');
    }
  }

  #path(name: string): string {
    return join(this.#root, ...checkName(name).split('/'));
  }

  #fail(err: unknown, op: string): never {
    throw destError(err, { backend: 'local', op });
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const target = this.#path(name);
    const temp = join(dirname(target), partialName(name).split('/').pop()!);
    const metered = meter(body);
    try {
      await this.checkTarget();
      await mkdir(dirname(target), { recursive: true });
      await pipeline(metered, createWriteStream(temp, { flags: 'wx', mode: 0o600 }), { signal: options.signal });
      const fh = await open(temp, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
      await rename(temp, target);
      const st = await stat(target);
      return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: st.mtimeMs };
    } catch (err) {
      await rm(temp, { force: true }).catch(() => {});
      const source = metered.sourceFailure();
      if (source) throw source;
      this.#fail(err, `put ${name}`);
    }
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const path = this.#path(name);
    const { offset, length } = checkRange(options.offset, options.length);
    try {
      const st = await stat(path);
      if (!st.isFile()) throw Object.assign(new Error(`${name} is not a file`), { code: 'ENOENT' });
      if (length === 0 || offset >= st.size) return Readable.from([]);
      const end = length === undefined ? undefined : offset + length - 1;
      const fh = await open(path, 'r');
      return fh.createReadStream({ start: offset, end, signal: options.signal });
    } catch (err) {
      this.#fail(err, `get ${name}`);
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    const path = this.#path(name);
    try {
      const st = await stat(path);
      return st.isFile() ? { name, size: st.size, modifiedAt: st.mtimeMs } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      this.#fail(err, `stat ${name}`);
    }
  }

  list(prefix = ''): Promise<StoredObject[]> {
    return this.#list(prefix, false);
  }

  /** Hidden partial objects that failed uploads left behind (see partial-name.ts). */
  listPartials(prefix = ''): Promise<StoredObject[]> {
    return this.#list(prefix, true);
  }

  async #list(prefix: string, partials: boolean): Promise<StoredObject[]> {
    try {
      const entries = await readdir(this.#root, { recursive: true, withFileTypes: true });
      const out: StoredObject[] = [];
      for (const e of entries) {
        if (!e.isFile()) continue;
        const full = join(e.parentPath, e.name);
        const name = relative(this.#root, full).split(sep).join('/');
        if (!name.startsWith(prefix) || isPartialName(name) !== partials) continue;
        const st = await stat(full).catch(() => null);
        if (st) out.push({ name, size: st.size, modifiedAt: st.mtimeMs });
      }
      return out.sort(byName);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.#fail(err, 'list');
    }
  }

  async delete(name: string): Promise<void> {
    try {
      // Deleting what is already gone succeeds: S3 and Azure behave so, and pruning may repeat.
      await rm(this.#path(name), { force: true });
    } catch (err) {
      this.#fail(err, `delete ${name}`);
    }
  }

  async close(): Promise<void> {}
}
