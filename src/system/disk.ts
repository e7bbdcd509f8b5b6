import fs from 'node:fs';
import path from 'node:path';

/** Free bytes on the filesystem holding `dir` (for the caller's uid, as statfs reports). */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** Bytes used by regular files below `dir`, without following links. */
export function usedBytes(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          total += fs.lstatSync(p).size;
        } catch {
          /* vanished */
        }
      }
    }
  }
  return total;
}
