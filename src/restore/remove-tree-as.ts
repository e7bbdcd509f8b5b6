// Removes a directory tree that an account owns, as that account. The tenant can change the tree
// while it is removed (swap a directory for a symlink to /etc, say), so root never walks it: a
// child acting as the account (account-child.ts, remove-tree-child.ts) empties it, and root only
// removes the empty top directory, which lies where the account cannot write.
import fs from 'node:fs';
import { AgentError } from '../errors/index.ts';
import { decideFor, startAccountChild } from '../sources/common/index.ts';
import { siblingModule } from '../core/sibling-module.ts';

const TASK = siblingModule(import.meta.url, 'remove-tree-child');
const TIMEOUT_MS = 6 * 60 * 60 * 1000;

export async function removeTreeAs(dir: string, uid: number, gid: number): Promise<void> {
  if (process.getuid?.() !== 0) {
    // The daemon's own files: nothing to drop to.
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const as = { uid, gid };
  try {
    const d = decideFor(dir, as);
    const child = startAccountChild({ module: TASK, request: { anchor: d.anchor, rest: d.rest }, as, timeoutMs: TIMEOUT_MS, maxOutputBytes: 64 * 1024 });
    try {
      for await (const f of child.frames()) throw new Error(`unexpected frame "${f.t.slice(0, 20)}"`);
    } finally {
      await child.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AgentError('AGENT_E_INTERNAL', `emptying ${dir} failed: ${(err as Error).message}`, { cause: err });
  }
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
