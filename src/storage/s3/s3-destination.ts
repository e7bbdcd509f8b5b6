// S3 and S3-compatible services. Uploads go through lib-storage: one PutObject for small bodies,
// multipart with the configured part size otherwise; a failed multipart upload is aborted, and
// S3 never lists an object before its upload completed.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { destError } from '../errors.ts';
import { invalidSetting } from '../invalid.ts';
import { meter } from '../metered.ts';
import { checkName, checkRange, joinPath } from '../names.ts';
import { CHUNK_RETRY } from '../chunk-retry.ts';
import { containerCredentials } from './container-credentials.ts';
import type { S3Settings } from './settings.ts';

export class S3Destination implements Destination {
  readonly type = 's3';
  readonly name: string;
  readonly #s: S3Settings;
  readonly #client: S3Client;
  /** Parts are buffered, so uploads may retry them; see chunk-retry.ts. */
  readonly #uploadClient: S3Client;

  constructor(name: string, settings: S3Settings) {
    this.name = name;
    this.#s = settings;
    const s = settings;
    if (s.insecure && s.protocol !== 'https') throw invalidSetting('s3', 'insecure', 'applies to https only');
    if (!s.iamRoleEndpoint && !(s.accessKeyId && s.secretAccessKey)) {
      throw invalidSetting('s3', 'accessKeyId', 'and secretAccessKey are required unless iamRoleEndpoint is set');
    }
    const ca = s.caCert ? (s.caCert.includes('-----BEGIN') ? s.caCert : readCa(s.caCert)) : undefined;
    // keepAlive only where requests are retried: a pooled socket the server is closing just as a
    // request goes out fails that request, which single-attempt calls cannot absorb.
    const credentials = s.accessKeyId && s.secretAccessKey
      ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey }
      : containerCredentials(s.iamRoleEndpoint!);
    const config = (maxAttempts: number) => new S3Client({
      region: s.region,
      ...(s.endpoint ? { endpoint: `${s.protocol}://${s.endpoint}` } : {}),
      forcePathStyle: s.forcePathStyle,
      credentials,
      maxAttempts,
      requestHandler: {
        connectionTimeout: 10_000,
        requestTimeout: 120_000,
        httpAgent: new HttpAgent({ keepAlive: maxAttempts > 1, maxSockets: 8 }),
        httpsAgent: new HttpsAgent({ keepAlive: maxAttempts > 1, maxSockets: 8, rejectUnauthorized: !s.insecure, ...(ca ? { ca } : {}) }),
      },
      // Checksums of streamed bodies of unknown length would force buffering; sha256 is ours.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    // Retries of whole calls are the retry wrapper's concern, so a dead peer is reported at once.
    this.#client = config(1);
    this.#uploadClient = config(CHUNK_RETRY.attempts);
  }

  #key(name: string): string {
    return joinPath(this.#s.path, checkName(name));
  }

  #fail(err: unknown, op: string): never {
    throw destError(err, { backend: 's3', op, secrets: [this.#s.secretAccessKey] });
  }

  async put(name: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const key = this.#key(name);
    const metered = meter(body);
    const upload = new Upload({
      client: this.#uploadClient,
      params: {
        Bucket: this.#s.bucket,
        Key: key,
        Body: metered,
        ...(this.#s.storageClass ? { StorageClass: this.#s.storageClass as StorageClass } : {}),
      },
      partSize: this.#s.partSizeMB * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const onAbort = () => void upload.abort().catch(() => {});
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      const source = metered.sourceFailure();
      if (source) throw source;
      this.#fail(err, `put ${name}`);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    return { name, size: metered.bytes, sha256: metered.sha256(), modifiedAt: Date.now() };
  }

  async get(name: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const key = this.#key(name);
    const { offset, length } = checkRange(options.offset, options.length);
    if (length === 0) {
      if (!(await this.stat(name))) this.#fail(Object.assign(new Error('no such object'), { name: 'NoSuchKey' }), `get ${name}`);
      return Readable.from([]);
    }
    const range = offset > 0 || length !== undefined ? `bytes=${offset}-${length === undefined ? '' : offset + length - 1}` : undefined;
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#s.bucket, Key: key, Range: range }), { abortSignal: options.signal });
      return res.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === 'InvalidRange') return Readable.from([]);
      this.#fail(err, `get ${name}`);
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    const key = this.#key(name);
    try {
      const res = await this.#client.send(new HeadObjectCommand({ Bucket: this.#s.bucket, Key: key }));
      return { name, size: res.ContentLength ?? 0, modifiedAt: res.LastModified?.getTime() };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket') return null;
      this.#fail(err, `stat ${name}`);
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const base = this.#s.path ? `${this.#s.path.replace(/\/+$/, '')}/` : '';
    const out: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#s.bucket, Prefix: base + prefix, ContinuationToken: token }));
        for (const o of res.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue;
          out.push({ name: o.Key.slice(base.length), size: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      this.#fail(err, 'list');
    }
    return out;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#s.bucket, Key: this.#key(name) }));
    } catch (err) {
      this.#fail(err, `delete ${name}`);
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
    this.#uploadClient.destroy();
  }
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw invalidSetting('s3', 'caCert', `cannot be read: ${(err as Error).message}`);
  }
}
