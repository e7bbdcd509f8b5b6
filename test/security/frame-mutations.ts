// Seeded random and mutated JSON-RPC frames for fuzz-sockets.test.ts: a corpus of well-formed
// requests for real methods of both sockets, and mutations of them (bytes flipped, inserted,
// cut, repeated; a value swapped deep inside; frames spliced; batches over rpc.maxBatch).
import type { Random } from '../helpers/seeded-random.ts';

const actor = { account: 'shop', session: 'fuzz-session' };
const PANEL = [
  { method: 'agent.status' },
  { method: 'rpc.discover' },
  { method: 'account.capabilities', params: { actor } },
  { method: 'backup.estimate', params: { account: 'shop', actor } },
  { method: 'job.list', params: { actor } },
  { method: 'job.get', params: { jobId: 'j-1', actor } },
  { method: 'snapshot.list', params: { actor } },
  { method: 'snapshot.get', params: { snapshotId: 's-1', actor } },
  { method: 'download.create', params: { snapshotId: 's-1', actor } },
  { method: 'events.subscribe', params: { actor, types: ['job.finished'] } },
  { method: 'events.unsubscribe', params: { subscriptionId: 'x', actor } },
];
const ADMIN = [
  ...PANEL,
  { method: 'account.list' },
  { method: 'account.get', params: { name: 'shop' } },
  { method: 'package.list' },
  { method: 'notify.history' },
  { method: 'destination.list' },
  { method: 'schedule.list' },
];

function randomValue(r: Random, depth = 0): unknown {
  switch (r.int(0, depth > 2 ? 5 : 7)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 1.5]);
    case 3: return r.pick(['', 'shop', '../../etc/passwd', '\u0000', 'x'.repeat(r.int(1, 5000)), '__proto__', '\ud800']);
    case 4: return r.pick(['constructor', 'toString', 'hasOwnProperty']);
    case 5: return 'é🐎'.repeat(r.int(1, 50));
    case 6: return Array.from({ length: r.int(0, 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(0, 4) }, () => [r.pick(['actor', 'account', 'session', 'params', '__proto__', 'a']), randomValue(r, depth + 1)]));
  }
}

/** Replaces one node somewhere inside a JSON value. */
function mutateValue(r: Random, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || r.chance(0.3)) return randomValue(r);
  if (Array.isArray(v)) {
    const copy = [...v];
    if (copy.length === 0) return [randomValue(r)];
    const i = r.int(0, copy.length - 1);
    copy[i] = mutateValue(r, copy[i]);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0 || r.chance(0.2)) copy[r.pick(['id', 'params', 'method', 'jsonrpc', 'actor', '__proto__'])] = randomValue(r);
  else {
    const k = r.pick(keys);
    if (r.chance(0.2)) delete copy[k];
    else copy[k] = mutateValue(r, copy[k]);
  }
  return copy;
}

function request(r: Random, admin: boolean, id: number): Record<string, unknown> {
  return { jsonrpc: '2.0', ...r.pick(admin ? ADMIN : PANEL), id };
}

function mutateBytes(r: Random, b: Buffer): Buffer {
  const out = Buffer.from(b);
  const at = r.int(0, Math.max(0, out.length - 1));
  switch (r.int(0, 5)) {
    case 0: out[at] = r.int(0, 255); return out;
    case 1: out[at] = out[at]! ^ (1 << r.int(0, 7)); return out;
    case 2: return Buffer.concat([out.subarray(0, at), Buffer.from([r.int(0, 255)]), out.subarray(at)]);
    case 3: return Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + r.int(1, 16)))]);
    case 4: {
      const piece = out.subarray(at, at + r.int(1, 64));
      return Buffer.concat([out.subarray(0, at), ...Array.from({ length: r.int(2, 50) }, () => piece), out.subarray(at)]);
    }
    default: return out.subarray(0, at);
  }
}

/** One frame's bytes (without its newline; a mutation may put newlines inside) and what it is. */
export function fuzzFrame(r: Random, admin: boolean, id: number): { kind: string; bytes: Buffer } {
  const valid = () => Buffer.from(JSON.stringify(request(r, admin, id)));
  switch (r.int(0, 9)) {
    case 0: return { kind: 'valid', bytes: valid() };
    case 1: return { kind: 'value-mutated', bytes: Buffer.from(JSON.stringify(mutateValue(r, request(r, admin, id)))) };
    case 2:
    case 3: return { kind: 'byte-mutated', bytes: Array.from({ length: r.int(1, 4) }).reduce<Buffer>((b) => mutateBytes(r, b), valid()) };
    case 4: return { kind: 'spliced', bytes: Buffer.concat([valid().subarray(0, r.int(1, 30)), valid().subarray(r.int(1, 30))]) };
    case 5: return { kind: 'batch', bytes: Buffer.from(JSON.stringify(Array.from({ length: r.int(1, 20) }, (_, i) => (r.chance(0.3) ? mutateValue(r, request(r, admin, id + i)) : request(r, admin, id + i))))) };
    case 6: return { kind: 'batch-over-limit', bytes: Buffer.from(JSON.stringify(Array.from({ length: r.int(101, 400) }, (_, i) => request(r, admin, id + i)))) };
    case 7: return { kind: 'random-bytes', bytes: Buffer.from(Array.from({ length: r.int(1, 400) }, () => r.int(0, 255))) };
    case 8: return { kind: 'deep', bytes: Buffer.from('['.repeat(r.int(1, 20_000)) + ']'.repeat(r.int(0, 20_000))) };
    default: return { kind: 'value-random', bytes: Buffer.from(JSON.stringify(randomValue(r))) };
  }
}
