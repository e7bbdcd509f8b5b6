// Runs a helper program (dump tool, database client, unprivileged reader) the way every source
// must: niced, stoppable within 2 s through an AbortSignal, stderr kept for the error message.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { hasProgram } from './has-program.ts';

/** Scheduling niceness for child processes; mirrors the `jobs` config section. */
export interface ChildPriority {
  nice: number;
  ioniceClass: 'idle' | 'best-effort' | 'none';
}

export interface ChildSpec {
  command: string;
  args: string[];
  /** Environment of the child; never put secrets here (root can read /proc/PID/environ). */
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  cwd?: string;
  priority?: ChildPriority;
  /** 'pipe' collects stdout; a file descriptor sends it straight to a file. */
  stdout?: 'pipe' | 'ignore' | number;
  stdin?: 'pipe' | 'ignore';
  signal?: AbortSignal;
}

const KILL_GRACE_MS = 1000;
const STDERR_KEEP = 16 * 1024;
const STDIO_GRACE_MS = 300;

/** The argv with nice/ionice in front; both exec the program, so the pid stays the program's. */
export function withPriority(command: string, args: string[], priority?: ChildPriority): [string, string[]] {
  if (!priority) return [command, args];
  const prefix: string[] = [];
  if (priority.nice > 0 && hasProgram('nice')) prefix.push('nice', '-n', String(priority.nice));
  if (priority.ioniceClass !== 'none' && hasProgram('ionice')) {
    prefix.push('ionice', '-c', priority.ioniceClass === 'idle' ? '3' : '2');
    if (priority.ioniceClass === 'best-effort') prefix.push('-n', '7');
  }
  if (prefix.length === 0) return [command, args];
  return [prefix[0]!, [...prefix.slice(1), command, ...args]];
}

/** Starts the child; `stopped` settles once it exited. SIGTERM on abort, SIGKILL 1 s later. */
export function startChild(spec: ChildSpec): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const [cmd, argv] = withPriority(spec.command, spec.args, spec.priority);
  const stdio: StdioOptions = [spec.stdin ?? 'ignore', spec.stdout ?? 'pipe', 'pipe'];
  // Its own process group, so that cancelling stops helpers the tool may have started too.
  const child = spawn(cmd, argv, {
    stdio,
    detached: true,
    env: spec.env ?? process.env,
    ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    stderr += s;
    if (stderr.length > STDERR_KEEP * 2) stderr = stderr.slice(-STDERR_KEEP);
  });
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  const onAbort = () => {
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      spec.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    // 'close' waits for stdio too; a grandchild that inherited stderr must not hold us up.
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      spec.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, stderr });
    };
    child.once('exit', (code, signal) => {
      const t = setTimeout(() => done(code, signal), STDIO_GRACE_MS);
      child.once('close', () => { clearTimeout(t); done(code, signal); });
    });
  });
  return { child, exited };
}

/** Runs a child to completion, collecting stdout (capped). Spawn failures become `code`'s AgentError. */
export async function runChild(spec: ChildSpec, maxStdout = 64 * 1024 * 1024): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }> {
  const { child, exited } = startChild({ ...spec, stdout: spec.stdout ?? 'pipe' });
  const chunks: Buffer[] = [];
  let size = 0;
  child.stdout?.on('data', (b: Buffer) => {
    size += b.length;
    if (size <= maxStdout) chunks.push(b);
  });
  const result = await exited;
  return { ...result, stdout: Buffer.concat(chunks) };
}
