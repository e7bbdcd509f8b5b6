// Tasks for test/sources/common/account-child.test.ts, run by the real account-child entry.
import fs from 'node:fs';
import type { ChildTask } from '../../../src/sources/common/account-child-entry.ts';

export const task: ChildTask = async (request, io) => {
  const what = (request as { what: string }).what;
  if (what === 'identity') {
    await io.send({
      t: 'identity', uid: process.getuid!(), gid: process.getgid!(), groups: process.getgroups!(),
      // /proc shows a process's files as root's only while it is non-dumpable.
      statusOwner: fs.statSync(`/proc/${process.pid}/status`).uid,
      nice: Number(fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]),
    });
  } else if (what === 'hang') {
    // A timer keeps the process alive; a bare pending promise would let it exit.
    await new Promise(() => setInterval(() => {}, 1000));
  } else if (what === 'flood') {
    for (;;) await io.send({ t: 'chunk' }, Buffer.alloc(64 * 1024));
  } else if (what === 'garbage') {
    await io.write(Buffer.from('\xff\xff\xff\x7fnot a frame'));
    await new Promise(() => setInterval(() => {}, 1000));
  }
};
