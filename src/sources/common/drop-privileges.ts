// Becomes the account before touching its files: no supplementary groups, then gid, then uid.
// Dropping in-process (not at exec) also leaves the child non-dumpable, so the tenant cannot
// ptrace a process that still holds a root-opened descriptor.

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
}
