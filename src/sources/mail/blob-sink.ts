// Collects one message while hashing it: in memory up to a limit, then spilled to a 0600 file
// in the spool, so memory stays bounded whatever the message size.
import fs from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { privatePath } from '../common/index.ts';

export interface CollectedBlob {
  sha256: string;
  size: number;
  /** The bytes, when they fitted in memory. */
  data?: Buffer;
  /** The spool file holding them otherwise; the caller removes it. */
  file?: string;
}

export class BlobSink {
  #hash: Hash = createHash('sha256');
  #chunks: Buffer[] = [];
  #size = 0;
  #file: string | null = null;
  #fh: fs.FileHandle | null = null;
  readonly #spoolDir: string;
  readonly #memoryLimit: number;

  constructor(spoolDir: string, memoryLimit: number) {
    this.#spoolDir = spoolDir;
    this.#memoryLimit = memoryLimit;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    if (!this.#fh && this.#size > this.#memoryLimit) {
      this.#file = privatePath(this.#spoolDir, 'mail-', '.eml');
      this.#fh = await fs.open(this.#file, 'wx', 0o600);
      for (const c of this.#chunks) await this.#fh.write(c);
      this.#chunks = [];
    }
    if (this.#fh) await this.#fh.write(chunk);
    else this.#chunks.push(Buffer.from(chunk)); // copy: the reader's buffer is reused
  }

  async finish(): Promise<CollectedBlob> {
    const sha256 = this.#hash.digest('hex');
    if (this.#fh) {
      await this.#fh.close();
      this.#fh = null;
      return { sha256, size: this.#size, file: this.#file! };
    }
    return { sha256, size: this.#size, data: Buffer.concat(this.#chunks) };
  }

  /** Drops what was collected (message changed while read, or an error). */
  async discard(): Promise<void> {
    if (this.#fh) await this.#fh.close().catch(() => {});
    this.#fh = null;
    if (this.#file) await fs.rm(this.#file, { force: true });
    this.#chunks = [];
  }
}
