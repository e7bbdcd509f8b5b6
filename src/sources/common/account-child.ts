// The one way the daemon starts a child that acts as an account. The child:
// - runs account-child-entry.ts, which drops to the account's uid/gid with no supplementary
//   groups and is non-dumpable from then on (drop-privileges.ts);
// - gets the job's nice/ionice (run-child.ts), a minimal environment and / as its directory;
// - is killed (its whole process group) when its time limit passes or the job is cancelled;
// - answers in the frames of account-child-frame.ts, which the daemon reads as untrusted input,
//   bounded in header size and total output (account-child-reader.ts).
// When the daemon is not root it has nobody to become, and the child runs as the daemon's user.
import type { Writable } from 'node:stream';
import { siblingModule } from '../../core/sibling-module.ts';
import { startChild, type ChildPriority } from './run-child.ts';
import { AccountChildReader, FrameError } from './account-child-reader.ts';
import type { FrameHead } from './account-child-frame.ts';
import { summarizeStderr } from './stderr-summary.ts';

const ENTRY = siblingModule(import.meta.url, 'account-child-entry');
const ENV = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' };

export interface AccountIdentity {
  uid: number;
  gid: number;
}

export interface AccountChildSpec {
  /** Absolute path of the task module (it exports `task: ChildTask`); the daemon's own code. */
  module: string;
  /** JSON handed to the task; visible in /proc, so never a secret. */
  request: unknown;
  as: AccountIdentity;
  priority?: ChildPriority;
  /** The child is killed after this long. */
  timeoutMs: number;
  /** Bound on everything the child may send. */
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** Sent on the child's stdin, then closed; 'stream': the caller writes `input` and ends it. */
  input?: Buffer | 'stream';
}

export class AccountChildFailure extends Error {
  /** The errno-like code the child reported, when it reported one. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

export interface AccountChild {
  /** Frames up to (not including) the final `end`; a `fatal` frame or a bad ending throws. */
  frames(): AsyncGenerator<FrameHead>;
  reader: AccountChildReader;
  /** The child's stdin when the spec asked for 'stream' (frames of account-child-frame.ts). */
  input: Writable | null;
  /** Settles once the child exited. */
  exited: Promise<unknown>;
  /** Stops the child (if still running) and waits for it. */
  close(): Promise<void>;
}

/** Starts the child. Read its frames with `frames()`, then `close()` it (in a finally). */
export function startAccountChild(spec: AccountChildSpec): AccountChild {
  const root = process.getuid?.() === 0;
  if (root && !(Number.isSafeInteger(spec.as.uid) && spec.as.uid > 0 && Number.isSafeInteger(spec.as.gid) && spec.as.gid >= 0)) {
    throw new AccountChildFailure('refusing to act on an account\'s files as root');
  }
  const kill = new AbortController();
  const onAbort = () => kill.abort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; kill.abort(); }, spec.timeoutMs);
  timer.unref();
  const json = JSON.stringify({ uid: root ? spec.as.uid : null, gid: root ? spec.as.gid : null, request: spec.request });
  const { child, exited } = startChild({
    command: process.execPath,
    args: [ENTRY, spec.module, json],
    env: ENV,
    cwd: '/',
    priority: spec.priority,
    stdin: 'pipe',
    stdout: 'pipe',
    signal: kill.signal,
  });
  const done = exited.catch((err: Error) => ({ code: null, signal: null, stderr: err.message }));
  child.stdin!.on('error', () => { /* the child may stop reading; its frames say why */ });
  if (spec.input !== 'stream') child.stdin!.end(spec.input ?? Buffer.alloc(0));
  const reader = new AccountChildReader(child.stdout!, spec.maxOutputBytes, { pipe: true });

  const failure = async (why: string, code?: string): Promise<AccountChildFailure> => {
    kill.abort();
    const r = await done;
    if (spec.signal?.aborted) return new AccountChildFailure('cancelled', 'ECANCELED');
    if (timedOut) return new AccountChildFailure(`no answer within ${Math.round(spec.timeoutMs / 1000)} s`, 'ETIMEDOUT');
    return new AccountChildFailure(`${why}${r.stderr ? `: ${summarizeStderr(r.stderr, [])}` : ''}`, code);
  };

  async function* frames(): AsyncGenerator<FrameHead> {
    for (;;) {
      let head: FrameHead | null;
      try {
        head = await reader.next();
      } catch (err) {
        throw await failure(err instanceof FrameError ? err.message : `reading the child failed: ${(err as Error).message}`);
      }
      if (head === null) throw await failure('the child stopped without finishing');
      if (head.t === 'fatal') {
        const code = typeof head.code === 'string' ? head.code.slice(0, 40) : undefined;
        const message = typeof head.message === 'string' ? head.message.slice(0, 1000) : 'failed';
        throw await failure(message, code);
      }
      if (head.t === 'end') {
        const r = await done;
        if (r.code !== 0) throw await failure(`the child exited with ${r.code ?? r.signal}`);
        return;
      }
      yield head;
    }
  }

  return {
    frames,
    reader,
    input: spec.input === 'stream' ? child.stdin! : null,
    exited: done,
    async close() {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      kill.abort();
      await reader.close().catch(() => {});
      await done;
    },
  };
}
