// An independent view of a directory tree, from GNU find and sha256sum rather than our own
// walker: path, type, mode, mtime (whole seconds, as tar keeps them), symlink target, content.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TreeEntry { type: string; mode: string; mtime: number; link: string; sha256?: string }

export async function treeListing(root: string): Promise<Map<string, TreeEntry>> {
  const { stdout } = await run('find', [root, '-mindepth', '1', '-printf', '%P\\0%y\\0%m\\0%T@\\0%l\\0'], { maxBuffer: 256 << 20 });
  const f = stdout.split('\0');
  const out = new Map<string, TreeEntry>();
  for (let i = 0; i + 4 < f.length; i += 5) {
    out.set(f[i]!, { type: f[i + 1]!, mode: f[i + 2]!, mtime: Math.floor(Number(f[i + 3])), link: f[i + 4]! });
  }
  const sums = await run('sh', ['-c', 'cd "$1" && find . -type f -print0 | xargs -0 -r sha256sum -z', 'sh', root], { maxBuffer: 256 << 20 });
  for (const line of sums.stdout.split('\0')) {
    if (!line) continue;
    const hex = line.slice(0, 64);
    const p = line.slice(66).replace(/^\.\//, '');
    const e = out.get(p);
    if (e) e.sha256 = hex;
  }
  return out;
}

/** Entries of `a` that differ from or are missing in `b`, as readable lines. */
export function treeDifferences(a: Map<string, TreeEntry>, b: Map<string, TreeEntry>): string[] {
  const diffs: string[] = [];
  for (const [p, e] of a) {
    const o = b.get(p);
    if (!o) diffs.push(`missing: ${p}`);
    else if (JSON.stringify(e) !== JSON.stringify(o)) diffs.push(`differs: ${p} ${JSON.stringify(e)} != ${JSON.stringify(o)}`);
  }
  for (const p of b.keys()) if (!a.has(p)) diffs.push(`extra: ${p}`);
  return diffs;
}
