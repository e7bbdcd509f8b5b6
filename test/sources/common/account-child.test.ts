// The one layer for children acting as an account, with a real Unix user: the child has the
// account's uid/gid and no other group, is non-dumpable, runs niced, is killed at its time
// limit, and its output is bounded and parsed as untrusted input.
import t from 'tap';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../../helpers/peer.ts';
import { makeTenant } from '../../helpers/tenant.ts';
import { AccountChildFailure, startAccountChild, type AccountChildSpec } from '../../../src/sources/common/index.ts';
import type { FrameHead } from '../../../src/sources/common/account-child-frame.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'children become a real Unix user')) t.end();

const TASKS = path.join(import.meta.dirname, 'account-child-tasks.ts');

/** The frames a task sent, or the error that ended it (from the layer, or from reading a body). */
async function run(spec: Omit<AccountChildSpec, 'module'>): Promise<FrameHead[] | Error> {
  const child = startAccountChild({ module: TASKS, ...spec });
  const frames: FrameHead[] = [];
  try {
    for await (const f of child.frames()) {
      frames.push(f);
      await child.reader.body(() => {});
    }
    return frames;
  } catch (err) {
    return err as Error;
  } finally {
    await child.close();
  }
}

t.test('the child is the account, with no other group, non-dumpable and niced', async (t) => {
  const tenant = await makeTenant(t, { profile: 'empty' });
  const as = { uid: tenant.uid, gid: tenant.gid };
  const r = await run({ request: { what: 'identity' }, as, timeoutMs: 60_000, maxOutputBytes: 4096, priority: { nice: 7, ioniceClass: 'best-effort' } });
  t.ok(Array.isArray(r), `answered: ${String(r)}`);
  const f = (r as FrameHead[])[0]!;
  t.equal(f.uid, tenant.uid);
  t.equal(f.gid, tenant.gid);
  t.same(f.groups, [tenant.gid], 'no supplementary groups (root has some)');
  t.equal(f.statusOwner, 0, 'non-dumpable: its /proc files are root\'s');
  t.equal(f.nice, 7, 'the job\'s nice level');
  await t.rejects(Promise.resolve().then(() => startAccountChild({ module: TASKS, request: {}, as: { uid: 0, gid: 0 }, timeoutMs: 1000, maxOutputBytes: 1 })), 'never as root');
});

t.test('time limit, output bound and malformed frames end the child', async (t) => {
  const tenant = await makeTenant(t, { profile: 'empty' });
  const as = { uid: tenant.uid, gid: tenant.gid };
  const hang = await run({ request: { what: 'hang' }, as, timeoutMs: 2000, maxOutputBytes: 4096 });
  t.ok(hang instanceof AccountChildFailure && hang.code === 'ETIMEDOUT', `killed at its time limit: ${String(hang)}`);
  const flood = await run({ request: { what: 'flood' }, as, timeoutMs: 120_000, maxOutputBytes: 1024 * 1024 });
  t.ok(flood instanceof Error && /more than 1048576 bytes/.test(flood.message), `output bounded: ${String(flood)}`);
  const garbage = await run({ request: { what: 'garbage' }, as, timeoutMs: 120_000, maxOutputBytes: 1024 * 1024 });
  t.ok(garbage instanceof AccountChildFailure && /malformed frame/.test(garbage.message), `a malformed frame is refused: ${String(garbage)}`);
});
