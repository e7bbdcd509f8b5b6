// Credentials and dumps live in a root-only spool directory: 0700 directory, 0600 files,
// created exclusively so that nothing pre-placed there is ever reused.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Creates a private (0700) directory under `parent`; `cleanup` removes it and everything in it. */
export async function createPrivateDir(parent: string, prefix = 'src-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  await fs.mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = await fs.mkdtemp(path.join(parent, prefix));
  await fs.chmod(dir, 0o700);
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** A fresh, not yet existing path inside `dir`. */
export function privatePath(dir: string, prefix: string, suffix = ''): string {
  return path.join(dir, `${prefix}${randomBytes(8).toString('hex')}${suffix}`);
}

/** Writes `content` to a new 0600 file inside `dir` and returns its path. */
export async function writePrivateFile(dir: string, prefix: string, content: string): Promise<string> {
  const file = privatePath(dir, prefix);
  const fh = await fs.open(file, 'wx', 0o600);
  try {
    await fh.writeFile(content);
  } finally {
    await fh.close();
  }
  return file;
}

/** Runs `fn` with a 0600 file holding `content` and removes the file afterwards, whatever happens. */
export async function withPrivateFile<T>(dir: string, prefix: string, content: string, fn: (file: string) => Promise<T>): Promise<T> {
  const file = await writePrivateFile(dir, prefix, content);
  try {
    return await fn(file);
  } finally {
    await fs.rm(file, { force: true });
  }
}
