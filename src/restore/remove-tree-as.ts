// Removes a directory tree that an account owns, as that account. The tenant can change the tree
// while it is removed (swap a directory for a symlink to /etc, say), so root never walks it: the
// account's own chmod and find empty it, and root only removes the empty top directory, which
// lies where the account cannot write. A tenant who races the removal can only affect files the
// tenant could remove anyway.
import fs from 'node:fs';
import { AgentError } from '../errors/index.ts';
import { runChild, summarizeStderr } from '../sources/common/index.ts';

const ENV = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' };

export async function removeTreeAs(dir: string, uid: number, gid: number): Promise<void> {
  if (process.getuid?.() !== 0) {
    // The daemon's own files: nothing to drop to.
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const as = { uid, gid, env: ENV };
  // Directories restored read-only (0555) must become writable before their entries can go;
  // chmod -R does not follow the symlinks it meets.
  await runChild({ command: 'chmod', args: ['-R', 'u+rwx', '--', dir], ...as });
  const r = await runChild({ command: 'find', args: [dir, '-mindepth', '1', '-delete'], ...as });
  if (r.code !== 0) throw new AgentError('AGENT_E_INTERNAL', `emptying ${dir} failed: ${summarizeStderr(r.stderr, [])}`);
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
