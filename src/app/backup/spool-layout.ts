import fs from 'node:fs';
import path from 'node:path';
import { archiveName, partPath, PARTIAL_SUFFIX } from '../../archive/index.ts';
import type { SnapshotRow } from '../../core/model.ts';

/** Where snapshots and their work files live in the root-only spool. */
export class SpoolLayout {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  /** Scratch space of one job (database dumps, spilled mail); never listed as a snapshot. */
  workDir(jobId: string): string {
    return path.join(this.root, '.work', jobId);
  }

  archivePath(name: string): string {
    return path.join(this.root, name);
  }

  paths(s: SnapshotRow): string[] {
    return s.parts.map((p) => this.archivePath(p));
  }

  /** Removes every file of a snapshot id: finished parts and partial files. */
  removeSnapshotFiles(snapshotId: string): void {
    for (const name of this.#names()) {
      if (name.includes(`_${snapshotId}.`)) fs.rmSync(path.join(this.root, name), { force: true });
    }
  }

  removeWorkDir(jobId: string): void {
    fs.rmSync(this.workDir(jobId), { recursive: true, force: true });
  }

  /** Archive files in the spool that no snapshot row names (and are not being written now). */
  orphans(known: Set<string>, active: Set<string>): string[] {
    return this.#names().filter((n) => !known.has(n) && ![...active].some((id) => n.includes(`_${id}.`)));
  }

  /** Regular files directly in the spool (snapshots and partials); never the work area. */
  #names(): string[] {
    try {
      return fs.readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
    } catch {
      return [];
    }
  }
}

export { archiveName, partPath, PARTIAL_SUFFIX };
