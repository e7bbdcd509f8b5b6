// Tests talk to real peers. Where one cannot be found, a test skips, except under
// HOSTAGENT_TEST_STRICT=1 (CI), where a missing peer is a failure.
import type { Test } from 'tap';
import { execFileSync } from 'node:child_process';

export const STRICT = process.env.HOSTAGENT_TEST_STRICT === '1';

/** Returns true when the peer is usable; otherwise fails (strict) or skips the test. */
export function requirePeer(t: Test, peer: string, available: boolean, why = 'not installed'): boolean {
  if (available) return true;
  if (STRICT) t.fail(`peer ${peer} unavailable under HOSTAGENT_TEST_STRICT=1: ${why}`);
  else t.pass(`peer ${peer} unavailable: ${why}`, { skip: why });
  return false;
}

/** Whether an executable is on PATH (or at an absolute path). */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const IS_ROOT = process.getuid?.() === 0;
