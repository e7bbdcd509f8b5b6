// The entry point of every child acting as an account (started by account-child.ts):
//   node account-child-entry.ts <module> <json {uid, gid, request}>
// It loads the task module while still root (the daemon's own code, from where root installed
// it), then drops to the account (drop-privileges.ts: no supplementary groups, gid, uid; the
// process is non-dumpable from then on) and only then runs the task. The task speaks
// account-child-frame.ts on stdout and may read the daemon's input on stdin.
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { dropPrivileges } from './drop-privileges.ts';
import { encodeHead, type FrameHead } from './account-child-frame.ts';

export interface ChildIo {
  /** Sends a frame; waits while the daemon is behind. */
  send(head: FrameHead, body?: Buffer): Promise<void>;
  /** Streams part of the body of the last header sent with an explicit `n` (exactly n bytes in all). */
  write(chunk: Buffer): Promise<void>;
  /** The daemon's input on stdin. */
  input: NodeJS.ReadableStream;
}

export type ChildTask = (request: unknown, io: ChildIo) => Promise<void>;

async function write(data: Buffer): Promise<void> {
  if (!process.stdout.write(data)) await once(process.stdout, 'drain');
}

const io: ChildIo = {
  async send(head, body) {
    await write(encodeHead(body ? { ...head, n: body.length } : head));
    if (body?.length) await write(body);
  },
  write,
  input: process.stdin,
};

async function main(): Promise<void> {
  const [modulePath, json] = process.argv.slice(2);
  if (!modulePath || !json) throw Object.assign(new Error('usage: account-child-entry <module> <json>'), { code: 'EINVAL' });
  const spec = JSON.parse(json) as { uid: number | null; gid: number | null; request: unknown };
  const task = ((await import(pathToFileURL(modulePath).href)) as { task: ChildTask }).task;
  if (spec.uid !== null) dropPrivileges(spec.uid, spec.gid ?? -1);
  await task(spec.request, io);
  await io.send({ t: 'end' });
}

main().catch(async (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  await io.send({ t: 'fatal', code, message: String((err as Error).message ?? err).slice(0, 1000) }).catch(() => {});
  process.exitCode = 2;
});
