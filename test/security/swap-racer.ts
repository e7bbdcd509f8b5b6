// A tenant racing the daemon: a process running as the tenant that swaps names in a directory
// it owns for symlinks to chosen targets and back, in a tight loop. Python, so no fork per swap:
// the swaps are fast enough to land inside a walk or a restore.
import { spawn } from 'node:child_process';
import type { Test } from 'tap';

/** Starts swapping each `name` (relative to `dir`) for links to its targets; killed at teardown. */
export function startSwapRacer(t: Test, who: { uid: number; gid: number }, dir: string, swaps: Record<string, string[]>): { stop(): void } {
  const racer = spawn('/usr/bin/python3', ['-c', `
import os, sys, json
os.chdir(sys.argv[1])
swaps = json.loads(sys.argv[2])
def swap(name, targets):
    try:
        os.rename(name, name + '.real')
    except OSError:
        return
    for target in targets:
        try:
            os.symlink(target, name)
            os.unlink(name)
        except OSError:
            pass
    try:
        os.symlink(targets[-1], name)
        os.unlink(name)
    except OSError:
        pass
    try:
        os.rename(name + '.real', name)
    except OSError:
        pass
while True:
    for name, targets in swaps.items():
        swap(name, targets)
`, dir, JSON.stringify(swaps)], { uid: who.uid, gid: who.gid, stdio: 'ignore' });
  const stop = () => { racer.kill('SIGKILL'); };
  t.teardown(stop);
  return { stop };
}
