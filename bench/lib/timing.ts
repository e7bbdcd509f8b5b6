// Wall-clock and CPU timing of shell pipelines, child processes and this process for benchmarks.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface Timing {
  wallMs: number;
  /** user + system CPU of the command and all its descendants. */
  cpuMs: number;
  stdout: string;
}

/**
 * Runs a command under GNU time: wall clock plus the CPU of its whole process tree. CPU time
 * is the steadier number on a busy machine; wall time is what the targets are about.
 */
export function timeCommand(argv: string[], env?: Record<string, string>): Timing {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S', ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, env: env ? { ...process.env, ...env } : process.env });
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`benchmark command failed (${r.status}): ${argv.join(' ')}\n${r.stderr}`);
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, stdout: r.stdout };
}

export function timeShell(script: string, args: string[] = []): Timing {
  return timeCommand(['sh', '-c', script, 'sh', ...args]);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** CPU time (ms) of this process, its threads and the children it has waited for (Linux). */
export function ownCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5): utime, stime, cutime, cstime, in clock ticks (USER_HZ, 100 on Linux).
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}
