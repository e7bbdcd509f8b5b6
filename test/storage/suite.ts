// The one suite every destination passes (restic's habit). Each test/storage/<peer>.test.ts
// starts a real peer and hands over a factory for destinations pointing at it, plus controls
// to take the peer down and bring it back.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import type { Destination } from '../../src/core/destination.ts';
import { isAgentError } from '../../src/errors/index.ts';
import { RetryingDestination, VerifyingDestination, isPartialOf, testDestination } from '../../src/storage/index.ts';

export interface PeerControls {
  /** Takes the peer down hard: the server stops and its open connections are dropped. */
  stop(): Promise<void>;
  /** Brings the peer back with its data, at the same address. */
  start(): Promise<void>;
  /** Cuts off the next `count` upload requests as they arrive, the server staying up (a network blip). */
  cutUploads?(count: number): void;
  armedCuts?(): number;
}

export interface SuiteOptions {
  /** Bytes of the large streamed object; 64 MiB unless a peer is too slow for that on CI. */
  largeBytes?: number;
  /** The backend uploads in chunks and retries each one (S3, Azure, Dropbox). */
  chunkRetries?: boolean;
}

const DEST_CODES = /^AGENT_E_(DEST_(UNREACHABLE|UNAVAILABLE|AUTH|PERMISSION|NOT_FOUND|INTEGRITY)|NO_SPACE)$/;
const MiB = 1024 * 1024;

/** Deterministic bytes, produced chunk by chunk like a snapshot being written. */
function* pattern(total: number, chunk = 256 * 1024): Generator<Buffer> {
  const block = Buffer.alloc(chunk);
  for (let sent = 0, n = 0; sent < total; n++) {
    const size = Math.min(chunk, total - sent);
    for (let i = 0; i < size; i += 4) block.writeUInt32LE((n * 2654435761 + i * 40503) >>> 0, i);
    yield Buffer.from(block.subarray(0, size));
    sent += size;
  }
}

function sha256Of(total: number): string {
  const h = createHash('sha256');
  for (const b of pattern(total)) h.update(b);
  return h.digest('hex');
}

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Polls until the partial of `name` shows up (an upload's first bytes may take a moment). */
async function waitForPartial(dest: Destination, run: string, name: string): Promise<{ name: string }[]> {
  for (let i = 0; ; i++) {
    const found = (await dest.listPartials!(`${run}/`)).filter((p) => isPartialOf(p.name, name));
    if (found.length || i === 100) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function hashStream(r: Readable): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of r) { h.update(c); size += c.length; }
  return { sha256: h.digest('hex'), size };
}

export async function runDestinationSuite(
  t: Test,
  makeDestination: () => Destination | Promise<Destination>,
  peer?: PeerControls,
  options: SuiteOptions = {},
): Promise<void> {
  const largeBytes = options.largeBytes ?? 64 * MiB;
  const dest = await makeDestination();
  t.teardown(() => dest.close());
  const run = `run-${process.pid}-${Date.now().toString(36)}`;

  await t.test('put, stat, list, get whole and ranged, delete; names with spaces and UTF-8', async (t) => {
    const name = `${run}/dir one/snäpshot 日本 #1.tar.gz`;
    const body = Buffer.from('hello, destination: ' + 'x'.repeat(5000) + ' end');
    const put = await dest.put(name, Readable.from([body]));
    t.equal(put.size, body.length, 'put reports the bytes sent');
    t.equal(put.sha256, createHash('sha256').update(body).digest('hex'), 'put reports the sha256 of the bytes sent');
    const st = await dest.stat(name);
    t.equal(st?.size, body.length, 'stat sees the stored size');
    t.equal(st?.name, name);
    const listed = await dest.list(`${run}/`);
    t.same(listed.map((o) => o.name), [name], 'list shows exactly the object');
    t.equal(listed[0].size, body.length);
    t.ok((await readAll(await dest.get(name))).equals(body), 'whole get returns the same bytes');
    t.ok((await readAll(await dest.get(name, { offset: 7, length: 11 }))).equals(body.subarray(7, 18)), 'ranged get');
    t.ok((await readAll(await dest.get(name, { offset: body.length - 4 }))).equals(Buffer.from(' end')), 'get from an offset to the end');
    await dest.delete(name);
    t.equal(await dest.stat(name), null, 'gone after delete');
    t.same((await dest.list(`${run}/`)).map((o) => o.name), [], 'not listed after delete');
    await dest.delete(name); // deleting what is gone is not an error: pruning may repeat
  });

  await t.test('an empty object', async (t) => {
    const name = `${run}/empty.bin`;
    const put = await dest.put(name, Readable.from([]));
    t.equal(put.size, 0);
    t.equal(put.sha256, createHash('sha256').digest('hex'));
    t.equal((await dest.stat(name))?.size, 0);
    t.equal((await readAll(await dest.get(name))).length, 0);
    await dest.delete(name);
  });

  await t.test('overwrite replaces the content', async (t) => {
    const name = `${run}/over.txt`;
    await dest.put(name, Readable.from([Buffer.from('first version, longer than the second')]));
    await dest.put(name, Readable.from([Buffer.from('second')]));
    t.equal((await readAll(await dest.get(name))).toString(), 'second');
    t.equal((await dest.stat(name))?.size, 6);
    t.equal((await dest.list(`${run}/over`)).length, 1, 'one object, no leftovers');
    await dest.delete(name);
  });

  await t.test('a missing object', async (t) => {
    const name = `${run}/no such object`;
    t.equal(await dest.stat(name), null, 'stat is null');
    await t.rejects(dest.get(name).then(readAll), { code: 'AGENT_E_DEST_NOT_FOUND' }, 'get is AGENT_E_DEST_NOT_FOUND');
  });

  await t.test('bad names are refused before anything is sent', async (t) => {
    for (const bad of ['../escape', '/abs', 'a//b', 'a/./b', '', 'x\r\nDELE y']) {
      await t.rejects(dest.put(bad, Readable.from([Buffer.from('x')])), { code: 'AGENT_E_INVALID' }, JSON.stringify(bad));
    }
  });

  await t.test(`a large object (${largeBytes / MiB} MiB) streamed while produced`, { timeout: 120_000 }, async (t) => {
    const name = `${run}/large.bin`;
    const put = await dest.put(name, Readable.from(pattern(largeBytes)));
    const expected = sha256Of(largeBytes);
    t.equal(put.size, largeBytes);
    t.equal(put.sha256, expected);
    t.equal((await dest.stat(name))?.size, largeBytes);
    const back = await hashStream(await dest.get(name));
    t.same(back, { sha256: expected, size: largeBytes }, 'read back whole, same sha256');
    const mid = Math.floor(largeBytes / 2) - 100;
    const range = await readAll(await dest.get(name, { offset: mid, length: 300 }));
    const all = Buffer.concat([...pattern(mid + 300)]);
    t.ok(range.equals(all.subarray(mid)), 'ranged get in the middle');
    await dest.delete(name);
  });

  await t.test('the source failing mid-upload leaves no object behind', async (t) => {
    const name = `${run}/broken-source.bin`;
    async function* failing() {
      yield* pattern(3 * MiB);
      throw new Error('snapshot producer crashed');
    }
    await t.rejects(dest.put(name, Readable.from(failing())), { code: 'AGENT_E_SOURCE_READ', message: /snapshot producer crashed/ },
      'reported as the source\'s failure, not the destination\'s');
    t.equal(await dest.stat(name), null, 'no object under the name');
    t.same((await dest.list(`${run}/`)).map((o) => o.name), [], 'nothing listed, not even a partial');
  });

  if (dest.listPartials) {
    await t.test('an upload in progress is a hidden partial: listPartials shows it, list never does', async (t) => {
      const name = `${run}/in progress.bin`;
      let release!: () => void;
      const paused = new Promise<void>((resolve) => { release = resolve; });
      let reached!: () => void;
      const halfway = new Promise<void>((resolve) => { reached = resolve; });
      async function* producer() {
        yield* pattern(MiB);
        reached();
        await paused;
        yield* pattern(MiB);
      }
      const put = dest.put(name, Readable.from(producer()));
      await halfway;
      // A second connection: FTP runs one command at a time on each.
      const other = await makeDestination();
      try {
        const seen = await waitForPartial(other, run, name);
        t.equal(seen.length, 1, `one partial while uploading: ${seen.map((p) => p.name).join(', ')}`);
        t.same((await other.list(`${run}/`)).map((o) => o.name), [], 'list does not show it');
        release();
        t.equal((await put).size, 2 * MiB);
        t.same((await other.listPartials!(`${run}/`)).filter((p) => isPartialOf(p.name, name)), [], 'no partial once the upload is complete');
        t.same((await other.list(`${run}/`)).map((o) => o.name), [name]);
      } finally {
        release();
        await other.close();
      }
      await dest.delete(name);
    });
  }

  await t.test('verification: a size that differs from the announced one is AGENT_E_DEST_INTEGRITY', async (t) => {
    const verified = new VerifyingDestination(dest);
    const name = `${run}/verified.bin`;
    const ok = await verified.put(name, Readable.from([Buffer.alloc(1000, 1)]), { size: 1000 });
    t.equal(ok.size, 1000);
    await t.rejects(verified.put(name, Readable.from([Buffer.alloc(999, 1)]), { size: 1000 }), { code: 'AGENT_E_DEST_INTEGRITY' });
    t.equal(await dest.stat(name), null, 'the mismatching object was removed');
  });

  await t.test('testDestination writes, reads back and deletes a probe', async (t) => {
    const r = await testDestination(dest);
    t.ok(r.ok, JSON.stringify(r));
    t.same(r.steps.map((s) => s.step), ['put', 'get', 'delete']);
    t.ok(r.latencyMs >= 0);
    t.notOk((await dest.list()).some((o) => o.name.includes('hostagent-probe')), 'probe removed');
  });

  if (!peer) return;

  await t.test('the peer goes down mid-upload', { timeout: 90_000 }, async (t) => {
    const name = `${run}/interrupted.bin`;
    let stopped: Promise<void> | undefined;
    async function* producer() {
      let sent = 0;
      for (const b of pattern(48 * MiB, 64 * 1024)) {
        yield b;
        sent += b.length;
        if (sent >= 6 * MiB && !stopped) {
          stopped = peer!.stop();
          await stopped;
        }
      }
    }
    const err = await dest.put(name, Readable.from(producer())).then(() => undefined, (e: unknown) => e);
    await stopped;
    t.ok(isAgentError(err), `put failed with an AgentError: ${String(err)}`);
    if (isAgentError(err)) {
      t.match(err.code, DEST_CODES, `classified: ${err.code}`);
      t.equal(err.data.backend, dest.type, 'data.backend');
    }
    await peer.start();
    const retrying = new RetryingDestination(dest, { attempts: 6, baseDelayMs: 100 });
    t.equal(await retrying.stat(name), null, 'no object under the name after the peer returns');
    t.same((await retrying.list(`${run}/`)).map((o) => o.name), [], 'no half object listed');
    if (dest.listPartials) {
      // A peer that died mid-write may keep the partial; once it is back, it can be found and deleted.
      const left = await dest.listPartials(`${run}/`);
      t.comment(`partials left: ${left.map((p) => p.name).join(', ') || 'none'}`);
      for (const p of left) await dest.delete(p.name);
      t.same(await dest.listPartials(`${run}/`), [], 'none after deleting them');
    }
    const again = await retrying.putFrom(`${run}/after.txt`, () => Readable.from([Buffer.from('after')]));
    t.equal(again.size, 5, 'the destination works again once the peer is back');
    await dest.delete(`${run}/after.txt`);
  });

  if (options.chunkRetries && peer.cutUploads) {
    await t.test('upload requests cut off mid-upload: chunks are retried and the streamed upload completes', { timeout: 60_000 }, async (t) => {
      const name = `${run}/blip.bin`;
      const total = 24 * MiB;
      peer.cutUploads!(2);
      const put = await dest.put(name, Readable.from(pattern(total)));
      t.equal(peer.armedCuts!(), 0, 'two upload requests were cut off and retried');
      const expected = sha256Of(total);
      t.same({ size: put.size, sha256: put.sha256 }, { size: total, sha256: expected });
      t.same(await hashStream(await dest.get(name)), { sha256: expected, size: total }, 'stored bytes are right');
      await dest.delete(name);
    });
  }

  await t.test('retries with backoff ride out a short outage; when they run out: AGENT_E_DEST_UNAVAILABLE', { timeout: 60_000 }, async (t) => {
    const retries: number[] = [];
    let back: Promise<void> | undefined;
    // The peer comes back after the second failed attempt; the budget (about 10 s or more) is
    // generous for peers that need seconds to start (Azurite on 2 cores).
    const retrying = new RetryingDestination(dest, {
      attempts: 40, baseDelayMs: 100, maxDelayMs: 500,
      onRetry: (i) => { retries.push(i.attempt); if (i.attempt === 2) back = peer.start(); },
    });
    await peer.stop();
    let put;
    try {
      put = await retrying.putFrom(`${run}/retried.bin`, () => Readable.from(pattern(MiB)));
    } finally {
      await (back ?? peer.start());
    }
    t.equal(put.size, MiB);
    t.ok(retries.length >= 2, `retried ${retries.length} time(s) with backoff`);
    t.equal((await dest.stat(`${run}/retried.bin`))?.size, MiB);
    await dest.delete(`${run}/retried.bin`);

    await peer.stop();
    try {
      const short = new RetryingDestination(dest, { attempts: 3, baseDelayMs: 20 });
      const err = await short.putFrom(`${run}/never.bin`, () => Readable.from(pattern(1024))).then(() => undefined, (e: unknown) => e);
      t.match(err, { code: 'AGENT_E_DEST_UNAVAILABLE', data: { backend: dest.type, attempts: 3 } });
      const streamed = await short.put(`${run}/never2.bin`, Readable.from(pattern(1024))).then(() => undefined, (e: unknown) => e);
      t.match(streamed, { code: 'AGENT_E_DEST_UNAVAILABLE' }, 'a stream that cannot be replayed: AGENT_E_DEST_UNAVAILABLE without a second attempt');
      const probe = await testDestination(dest);
      t.equal(probe.ok, false, 'testDestination reports the outage');
      t.match(probe.steps[0], { step: 'put', ok: false, error: { code: DEST_CODES } });
    } finally {
      await peer.start();
    }
    const retryingAfter = new RetryingDestination(dest, { attempts: 6, baseDelayMs: 100 });
    t.same((await retryingAfter.list(`${run}/`)).map((o) => o.name), [], 'nothing half-written is listed');
  });
}
