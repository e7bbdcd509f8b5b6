// Becomes the account before touching its files: no supplementary groups, then gid, then uid.
// Dropping in-process (not at exec) also leaves the child non-dumpable: the kernel clears the
// dumpable flag when credentials change (fs.suid_dumpable is 0 or 2, never 1 on a sane host),
// and an execve afterwards would set it again. So the tenant cannot ptrace a process that
// still holds a root-opened descriptor. The drop is checked, non-dumpability included: /proc
// shows the files of a non-dumpable process (its status, say) as root's.
import fs from 'node:fs';

export function dropPrivileges(uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return;
  if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid) || gid < 0) {
    throw new Error('refusing to act on an account\'s files as root');
  }
  process.setgroups!([]);
  process.setgid!(gid);
  process.setuid!(uid);
  if (process.getuid!() !== uid || process.geteuid!() !== uid || process.getgid!() !== gid || process.getgroups!().some((g) => g !== gid)) {
    throw new Error('privileges were not dropped');
  }
  if (fs.statSync(`/proc/${process.pid}/status`).uid !== 0) throw new Error('the process is still dumpable after dropping privileges');
}
