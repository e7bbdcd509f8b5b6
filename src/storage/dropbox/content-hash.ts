// Dropbox's content_hash: the sha256 of the concatenated sha256 digests of each 4 MiB block.
// Computed while uploading, it lets us check what Dropbox stored without reading it back.
import { createHash, type Hash } from 'node:crypto';

const BLOCK = 4 * 1024 * 1024;

export class DropboxContentHasher {
  #overall: Hash = createHash('sha256');
  #block: Hash = createHash('sha256');
  #inBlock = 0;

  update(data: Buffer): void {
    let pos = 0;
    while (pos < data.length) {
      const take = Math.min(BLOCK - this.#inBlock, data.length - pos);
      this.#block.update(data.subarray(pos, pos + take));
      this.#inBlock += take;
      pos += take;
      if (this.#inBlock === BLOCK) {
        this.#overall.update(this.#block.digest());
        this.#block = createHash('sha256');
        this.#inBlock = 0;
      }
    }
  }

  digest(): string {
    if (this.#inBlock > 0) this.#overall.update(this.#block.digest());
    return this.#overall.digest('hex');
  }
}
