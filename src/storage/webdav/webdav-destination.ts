// WebDAV. Uploads PUT to a hidden partial name, then MOVE over the target (Overwrite: T).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { createClient, type FileStat, type WebDAVClient } from 'webdav';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { destError } from '../errors.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange } from '../names.ts';
import { partialName } from '../partial-name.ts';
import { listTree, type DirEntry } from '../list-tree.ts';
import type { WebdavSettings } from './settings.ts';

export class WebdavDestination implements Destination {
  readonly type = 'webdav';
  readonly name: string;
  readonly #s: WebdavSettings;
  readonly #client: WebDAVClient;
  readonly #base: string;
  readonly #made = new Set<string>();

  constructor(name: string, settings: WebdavSettings) {
    this.name = name;
    this.#s = settings;
    this.#base = '/' + settings.path.split('/').filter(Boolean).join('/');
    this.#client = createClient(settings.url, {
      ...(settings.username !== undefined ? { username: settings.username, password: settings.password ?? '' } : {}),
      // No pooled sockets: a socket the server closes as a request goes out fails that request.
      httpAgent: new HttpAgent({ keepAlive: false }),
      httpsAgent: new HttpsAgent({ keepAlive: false, rejectUnauthorized: !settings.insecure }),
    });
  }

  #path(name: string): string {
    return `${this.#base === '/' ? '' : this.#base}/${checkName(name)}`;
  }

  #fail(err: unknown, op: string): never {
    throw destError(err, { backend: 'webdav', op, secrets: [this.#s.password] });
  }

  async #mkdirs(dir: string): Promise<void> {
    if (dir === '' || dir === '/' || this.#made.has(dir)) return;
    await this.#client.createDirectory(dir, { recursive: true });
    this.#made.add(dir);
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const target = this.#path(name);
    const dir = target.slice(0, target.lastIndexOf('/'));
    const temp = `${dir}/${partialName(name).split('/').pop()}`;
    const metered = meter(body);
    try {
      await this.#mkdirs(dir);
      await this.#client.putFileContents(temp, metered, { overwrite: true, contentLength: false, signal: options.signal });
      if (metered.errored) throw metered.errored;
      await this.#client.moveFile(temp, target, { overwrite: true });
    } catch (err) {
      body.destroy();
      this.#made.clear(); // the collection may be gone, e.g. after a server restart
      await this.#client.deleteFile(temp).catch(() => {});
      const source = metered.sourceFailure();
      if (source) throw source;
      this.#fail(err, `put ${name}`);
    }
    return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: Date.now() };
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const path = this.#path(name);
    const { offset, length } = checkRange(options.offset, options.length);
    try {
      const st = await this.#client.stat(path) as FileStat;
      if (st.type !== 'file') throw Object.assign(new Error(`${name} is a collection`), { status: 404 });
      if (length === 0 || offset >= st.size) return Readable.from([]);
      const end = length === undefined ? st.size - 1 : Math.min(st.size, offset + length) - 1;
      const ranged = offset > 0 || end < st.size - 1;
      const rs = this.#client.createReadStream(path, { ...(ranged ? { range: { start: offset, end } } : {}), signal: options.signal }) as Readable;
      const out = new Readable({ read() { rs.resume(); } });
      rs.on('data', (c: Buffer) => { if (!out.push(c)) rs.pause(); });
      rs.on('end', () => out.push(null));
      rs.on('error', (err) => out.destroy(destError(err, { backend: 'webdav', op: `get ${name}`, secrets: [this.#s.password] })));
      out.on('close', () => rs.destroy());
      return out;
    } catch (err) {
      this.#fail(err, `get ${name}`);
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    try {
      const st = await this.#client.stat(this.#path(name)) as FileStat;
      return st.type === 'file' ? { name, size: st.size, modifiedAt: Date.parse(st.lastmod) || undefined } : null;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return null;
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
    // Depth: 1 collection by collection; many servers refuse Depth: infinity.
    const readDir = async (dir: string): Promise<DirEntry[]> => {
      let entries: FileStat[];
      try {
        entries = await this.#client.getDirectoryContents(dir) as FileStat[];
      } catch (err) {
        if ((err as { status?: number }).status === 404) return [];
        throw err;
      }
      const inside = dir === '/' ? '/' : `${dir}/`;
      return entries.flatMap((e) => {
        const full = (e.filename.startsWith('/') ? e.filename : `/${e.filename}`).replace(/(.)\/+$/, '$1');
        // Only the collection's own members: a server may also list the collection itself.
        const name = full.startsWith(inside) ? full.slice(inside.length) : '';
        if (!name || name.includes('/')) return [];
        return [{ name, path: full, type: e.type === 'directory' ? 'directory' : 'file', size: e.size, modifiedAt: Date.parse(e.lastmod) || undefined }];
      });
    };
    try {
      return await listTree(this.#base, readDir, prefix, partials);
    } catch (err) {
      this.#fail(err, 'list');
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#client.deleteFile(this.#path(name));
    } catch (err) {
      if ((err as { status?: number }).status === 404) return;
      this.#fail(err, `delete ${name}`);
    }
  }

  async close(): Promise<void> {}
}
