// Whether a directory is a mount point, for requireMountpoint: a disk that failed to mount
// leaves an empty directory on the parent filesystem, which must not receive the copies.
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Mount points as /proc/self/mountinfo lists them (field 5, with its octal escapes undone). */
async function mountPoints(): Promise<Set<string> | null> {
  try {
    const text = await readFile('/proc/self/mountinfo', 'utf8');
    return new Set(text.split('\n').filter(Boolean).map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))));
  } catch {
    return null;
  }
}

/**
 * True when `dir` is listed in mountinfo (bind mounts included), or, where /proc is not
 * readable, when it lies on another device than its parent or is the root.
 */
export async function isMountPoint(dir: string): Promise<boolean> {
  const real = await realpath(dir);
  const listed = await mountPoints();
  if (listed) return listed.has(real);
  const parent = dirname(real);
  if (parent === real) return true;
  const [a, b] = await Promise.all([stat(real), stat(parent)]);
  return a.dev !== b.dev;
}
