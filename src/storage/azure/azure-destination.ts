// Azure Blob Storage. Blocks are staged as the stream arrives and committed in one call at the
// end, with the sha256 in the blob's metadata; staged blocks never show up as a blob, and Azure
// drops uncommitted blocks by itself after a week.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { destError } from '../errors.ts';
import { invalidSetting } from '../invalid.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange, joinPath } from '../names.ts';
import { CHUNK_RETRY } from '../chunk-retry.ts';
import { managedIdentityCredential } from './managed-identity.ts';
import type { AzureSettings } from './settings.ts';

const IN_FLIGHT_BLOCKS = 2;

export class AzureDestination implements Destination {
  readonly type = 'azure';
  readonly name: string;
  readonly #s: AzureSettings;
  readonly #container: ContainerClient;
  /** Staged blocks are buffered, so uploads may retry them; see chunk-retry.ts. */
  readonly #uploads: ContainerClient;

  constructor(name: string, settings: AzureSettings) {
    this.name = name;
    this.#s = settings;
    const s = settings;
    const ways = [s.accountKey, s.connectionString, s.managedIdentity].filter((x) => x !== undefined).length;
    if (ways !== 1) throw invalidSetting('azure', 'accountKey', 'or connectionString or managedIdentity: exactly one is required');
    if (!s.connectionString && !s.accountName) throw invalidSetting('azure', 'accountName', 'is required with accountKey or managedIdentity');
    const credential = s.connectionString ? undefined
      : s.accountKey ? new StorageSharedKeyCredential(s.accountName!, s.accountKey)
      : managedIdentityCredential(s.managedIdentity!);
    const container = (maxTries: number): ContainerClient => {
      const pipeline: StoragePipelineOptions = {
        retryOptions: { maxTries, tryTimeoutInMs: 120_000, retryDelayInMs: CHUNK_RETRY.baseDelayMs, maxRetryDelayInMs: CHUNK_RETRY.maxDelayMs },
      };
      try {
        const service = s.connectionString
          ? BlobServiceClient.fromConnectionString(s.connectionString, pipeline)
          : new BlobServiceClient(s.endpoint.replaceAll('{account}', s.accountName!), credential, pipeline);
        return service.getContainerClient(s.container);
      } catch (err) {
        throw invalidSetting('azure', s.connectionString ? 'connectionString' : 'endpoint', `is not usable: ${destError(err, { backend: 'azure', op: 'configure', secrets: this.#secrets() }).message}`);
      }
    };
    // Retries of whole calls are the retry wrapper's concern, so a dead peer is reported at once.
    this.#container = container(1);
    this.#uploads = container(CHUNK_RETRY.attempts);
  }

  #secrets(): (string | undefined)[] {
    const s = this.#s;
    const fromConn = s.connectionString?.match(/AccountKey=([^;]+)/)?.[1];
    return [s.accountKey, s.connectionString, fromConn];
  }

  #key(name: string): string {
    return joinPath(this.#s.path, checkName(name));
  }

  #fail(err: unknown, op: string): never {
    throw destError(err, { backend: 'azure', op, secrets: this.#secrets() });
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const blob = this.#uploads.getBlockBlobClient(this.#key(name));
    const metered = meter(body);
    const blockSize = this.#s.blockSizeMB * 1024 * 1024;
    const prefix = randomBytes(6).toString('hex');
    const ids: string[] = [];
    const inFlight = new Set<Promise<unknown>>();
    let stageError: unknown;
    const stage = (data: Buffer) => {
      const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, '0')}`).toString('base64');
      ids.push(id);
      const p: Promise<unknown> = blob.stageBlock(id, data, data.length, { abortSignal: options.signal })
        .catch((err: unknown) => { stageError ??= err; })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of metered) {
        pending.push(chunk as Buffer);
        pendingBytes += (chunk as Buffer).length;
        while (pendingBytes >= blockSize) {
          const all = Buffer.concat(pending);
          pending = [all.subarray(blockSize)];
          pendingBytes = pending[0].length;
          stage(all.subarray(0, blockSize));
          if (inFlight.size >= IN_FLIGHT_BLOCKS) await Promise.race(inFlight);
          if (stageError) throw stageError;
        }
      }
      if (pendingBytes > 0) stage(Buffer.concat(pending));
      await Promise.all(inFlight);
      if (stageError) throw stageError;
      await blob.commitBlockList(ids, {
        metadata: { sha256: metered.sha256() },
        ...(this.#s.accessTier ? { tier: this.#s.accessTier } : {}),
        abortSignal: options.signal,
      });
    } catch (err) {
      body.destroy();
      await Promise.all(inFlight);
      throw metered.sourceFailure() ?? destError(err, { backend: 'azure', op: `put ${name}`, secrets: this.#secrets() });
    }
    return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: Date.now() };
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const blob = this.#container.getBlobClient(this.#key(name));
    const { offset, length } = checkRange(options.offset, options.length);
    try {
      if (length === 0) {
        await blob.getProperties();
        return Readable.from([]);
      }
      const res = await blob.download(offset, length, { abortSignal: options.signal });
      return res.readableStreamBody as Readable;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 416) return Readable.from([]);
      this.#fail(err, `get ${name}`);
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    try {
      const p = await this.#container.getBlobClient(this.#key(name)).getProperties();
      return { name, size: p.contentLength ?? 0, modifiedAt: p.lastModified?.getTime(), ...(p.metadata?.sha256 ? { sha256: p.metadata.sha256 } : {}) };
    } catch (err) {
      const e = err as { statusCode?: number; code?: string; details?: { errorCode?: string } };
      if (e.statusCode === 404 && e.details?.errorCode !== 'ContainerNotFound') return null;
      this.#fail(err, `stat ${name}`);
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const base = this.#s.path ? `${this.#s.path.replace(/\/+$/, '')}/` : '';
    const out: StoredObject[] = [];
    try {
      for await (const b of this.#container.listBlobsFlat({ prefix: base + prefix, includeMetadata: true })) {
        out.push({
          name: b.name.slice(base.length),
          size: b.properties.contentLength ?? 0,
          modifiedAt: b.properties.lastModified?.getTime(),
          ...(b.metadata?.sha256 ? { sha256: b.metadata.sha256 } : {}),
        });
      }
    } catch (err) {
      this.#fail(err, 'list');
    }
    return out;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#container.getBlobClient(this.#key(name)).deleteIfExists();
    } catch (err) {
      this.#fail(err, `delete ${name}`);
    }
  }

  async close(): Promise<void> {}
}
