import type { Readable } from 'node:stream';

export interface StoredObject {
  /** Object name relative to the destination's configured path, '/'-separated. */
  name: string;
  size: number;
  modifiedAt?: number;
  /** Hex sha256 where the backend records one. */
  sha256?: string;
}

export interface PutOptions {
  /** Known size, when the caller knows it up front (streams being produced do not). */
  size?: number;
  signal?: AbortSignal;
}

export interface PutResult extends StoredObject {
  /** Hex sha256 of the bytes sent, computed while streaming. */
  sha256: string;
}

/**
 * A place snapshots are copied to. Small on purpose: retries, rate limits and verification
 * wrap it (src/storage/wrappers) instead of living in each backend.
 * Every method throws AgentError with an AGENT_E_DEST_* code on failure.
 */
export interface Destination {
  readonly type: string;
  readonly name: string;
  put(name: string, body: Readable, options?: PutOptions): Promise<PutResult>;
  get(name: string, options?: { offset?: number; length?: number; signal?: AbortSignal }): Promise<Readable>;
  stat(name: string): Promise<StoredObject | null>;
  list(prefix?: string): Promise<StoredObject[]>;
  /**
   * Backends that upload under a hidden partial name (local, sftp, ftp, webdav): the partials
   * an upload could not remove (its peer died mid-write), so a later run can delete them.
   */
  listPartials?(prefix?: string): Promise<StoredObject[]>;
  delete(name: string): Promise<void>;
  /**
   * Checks, without a transfer, that the settings point at something on this host that can take
   * copies (a local directory that exists); throws AGENT_E_DEST_* with data.field naming the setting.
   */
  checkTarget?(): Promise<void>;
  close(): Promise<void>;
}
