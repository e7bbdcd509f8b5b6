// The load half of test/rpc/fuzz.test.ts, run in a worker thread so that generating megabytes of
// junk never delays the test's agent.status monitor: random and malformed frames over many
// concurrent connections, each session ending in one of several ways, every answer checked.
import { parentPort, workerData } from 'node:worker_threads';
import { LineSocket } from './line-socket.ts';
import { makeRandom, type Random } from '../helpers/seeded-random.ts';

export interface FuzzLoadOptions {
  seed: number;
  sockets: string[];
  minFrames: number;
  connections: number;
  maxLineBytes: number;
}

export interface FuzzLoadStats {
  frames: number;
  sessions: number;
  bytes: number;
  answers: number;
  kinds: Record<string, number>;
  endings: Record<string, number>;
  problems: string[];
  unanswered: number;
  duplicated: number;
}

const options = workerData as FuzzLoadOptions;
const MAX_LINE = options.maxLineBytes;


const METHODS = ['agent.status', 'rpc.discover', 'agent.nope', '', 'rpc.', 'constructor', '__proto__', 'toString', 'agent.status ', 'AGENT.STATUS'];

function randomUnicode(r: Random, max: number): string {
  let s = '';
  const n = r.int(0, max);
  for (let i = 0; i < n; i++) {
    const kind = r.int(0, 5);
    const cp = kind === 0 ? r.int(0, 0x7f)
      : kind === 1 ? r.int(0x80, 0x7ff)
        : kind === 2 ? r.int(0x800, 0xd7ff)
          : kind === 3 ? r.int(0xe000, 0xffff)
            : kind === 4 ? r.int(0x10000, 0x10ffff)
              : r.int(0xd800, 0xdfff); // a lone surrogate: JSON may carry it escaped
    s += String.fromCodePoint(cp);
  }
  return s;
}

function randomValue(r: Random, depth = 0): unknown {
  switch (r.int(0, depth > 3 ? 6 : 8)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.int(-1e9, 1e9);
    case 3: return r.pick([0, -0, 1.5, 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2]);
    case 4: return randomUnicode(r, 12);
    case 5: return r.pick(['', 'agent.status', '2.0', '1.0', 'null', '{}']);
    case 6: return 'x'.repeat(r.int(0, 500));
    case 7: return Array.from({ length: r.int(0, 5) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(0, 5) }, () => [r.pick(['jsonrpc', 'method', 'params', 'id', 'actor', 'a', randomUnicode(r, 4)]), randomValue(r, depth + 1)]));
  }
}

interface Frame {
  kind: string;
  bytes: Buffer;
  /** Ids of well-formed requests inside, each owed exactly one answer. */
  owed: string[];
  /** The daemon closes the connection after this frame. */
  fatal?: boolean;
}

let idSeq = 0;
function owedRequest(r: Random): { msg: Record<string, unknown>; id: string } {
  const id = `q${++idSeq}-${randomUnicode(r, 3)}`;
  return { msg: { jsonrpc: '2.0', method: r.chance(0.1) ? 'rpc.discover' : 'agent.status', id, ...(r.chance(0.3) ? { params: {} } : {}) }, id };
}

function frame(kind: string, text: string | Buffer, owed: string[] = []): Frame {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return { kind, bytes: Buffer.concat([bytes, Buffer.from('\n')]), owed, fatal: bytes.length > MAX_LINE };
}

const generators: [weight: number, make: (r: Random) => Frame][] = [
  [10, (r) => { const { msg, id } = owedRequest(r); return frame('valid', JSON.stringify(msg), [id]); }],
  [8, (r) => {
    const bytes = Buffer.from(Array.from({ length: r.int(1, 300) }, () => r.int(0, 255)).map((b) => (b === 10 ? 32 : b)));
    return frame('garbage', bytes);
  }],
  [8, (r) => {
    const full = JSON.stringify(owedRequest(r).msg);
    return frame('truncated', full.slice(0, r.int(1, full.length - 1)));
  }],
  [10, (r) => {
    // Every field, one at a time, given a value of a random (usually wrong) type.
    const msg: Record<string, unknown> = { jsonrpc: '2.0', method: 'agent.status', id: r.int(0, 1000) };
    const field = r.pick(['jsonrpc', 'method', 'params', 'id', 'result', 'error']);
    msg[field] = randomValue(r);
    if (r.chance(0.2)) delete msg[r.pick(['jsonrpc', 'method', 'id'])];
    return frame('wrong-type', JSON.stringify(msg));
  }],
  [8, (r) => frame('random-params', JSON.stringify({ jsonrpc: '2.0', method: r.pick(METHODS), params: randomValue(r), ...(r.chance(0.7) ? { id: randomValue(r, 4) } : {}) }))],
  [5, (r) => frame('unicode', r.chance(0.5) ? randomUnicode(r, 200) : JSON.stringify({ jsonrpc: '2.0', method: randomUnicode(r, 20), id: randomUnicode(r, 20), params: { [randomUnicode(r, 5)]: randomUnicode(r, 50) } }))],
  [5, (r) => {
    const owed: string[] = [];
    const items = Array.from({ length: r.int(0, 30) }, () => {
      if (r.chance(0.3)) {
        const q = owedRequest(r);
        owed.push(q.id);
        return q.msg;
      }
      return randomValue(r);
    });
    return frame('junk-batch', JSON.stringify(items), owed);
  }],
  [3, (r) => {
    const depth = r.int(1000, Math.floor(MAX_LINE / 6) - 100);
    const cut = r.chance(0.2) ? r.int(0, depth) : depth; // sometimes unbalanced
    const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(cut);
    return frame('deep', r.pick([
      '['.repeat(depth) + ']'.repeat(cut),
      objects,
      '{"jsonrpc":"2.0","method":"agent.status","id":1,"params":' + objects + '}',
      '[{"jsonrpc":"2.0","method":"agent.status","id":' + '['.repeat(depth) + ']'.repeat(cut) + '}]',
    ]));
  }],
  [4, (r) => frame('notification', JSON.stringify({ jsonrpc: '2.0', method: r.pick(METHODS), ...(r.chance(0.5) ? { params: randomValue(r) } : {}) }))],
  [4, (r) => frame('bad-utf8', Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"agent.status","id":"'), Buffer.from(r.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0xaf]])), Buffer.from('"}')]))],
  [3, (r) => frame('blank', r.pick(['', '\r', ' ', '\t\t', '{}', '[]', 'null', '0', '"x"', '[[]]', '[{}]']))],
  [2, (r) => { const { msg, id } = owedRequest(r); return frame('crlf', JSON.stringify(msg) + '\r', [id]); }],
  [1, (r) => frame('huge', 'z'.repeat(r.int(MAX_LINE + 1, 3 * MAX_LINE)))],
];
const totalWeight = generators.reduce((n, [w]) => n + w, 0);

function randomFrame(r: Random): Frame {
  let x = r.next() * totalWeight;
  for (const [w, make] of generators) {
    x -= w;
    if (x < 0) return make(r);
  }
  return generators[0]![1](r);
}

const ALLOWED_ERROR_CODES = new Set([-32700, -32600, -32601, -32602, -32603, 1003, 1014]);

/** Problems with one answer line; empty when it is a well-formed JSON-RPC response (or batch of them). */
function checkAnswerLine(line: string, ids: string[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return [`not JSON: ${line.slice(0, 120)}`];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (Array.isArray(parsed) && parsed.length === 0) return ['an empty batch answer'];
  const problems: string[] = [];
  for (const a of list as Record<string, unknown>[]) {
    if (typeof a !== 'object' || a === null || a.jsonrpc !== '2.0' || !('id' in a) || ('result' in a) === ('error' in a)) {
      problems.push(`not a JSON-RPC response: ${JSON.stringify(a).slice(0, 160)}`);
      continue;
    }
    if ('error' in a) {
      const e = a.error as { code?: unknown; message?: unknown };
      if (!ALLOWED_ERROR_CODES.has(e.code as number) || typeof e.message !== 'string') problems.push(`unexpected error ${JSON.stringify(e).slice(0, 160)}`);
    }
    if (typeof a.id === 'string') ids.push(a.id);
  }
  return problems;
}

const stats: FuzzLoadStats = { frames: 0, sessions: 0, bytes: 0, answers: 0, kinds: {}, endings: {}, problems: [], unanswered: 0, duplicated: 0 };

/** One connection: a burst of frames, written in random chunks, then one of several endings. */
async function session(r: Random, sockPath: string): Promise<void> {
  const frames: Frame[] = [];
  const n = r.int(1, 60);
  for (let i = 0; i < n; i++) {
    const f = randomFrame(r);
    frames.push(f);
    if (f.fatal) break;
  }
  const ending = r.pick(['half-close', 'half-close', 'end-later', 'end-later', 'destroy-mid-frame', 'never-read', 'destroy-at-once']);
  stats.sessions++;
  stats.endings[ending] = (stats.endings[ending] ?? 0) + 1;
  for (const f of frames) {
    stats.frames++;
    stats.kinds[f.kind] = (stats.kinds[f.kind] ?? 0) + 1;
  }
  let wire = Buffer.concat(frames.map((f) => f.bytes));
  if (ending === 'destroy-mid-frame') wire = Buffer.concat([wire, Buffer.from('{"jsonrpc":"2.0","method":"agent.sta')]);
  stats.bytes += wire.length;

  const c = await LineSocket.connect(sockPath);
  try {
    if (ending === 'never-read') c.socket.pause();
    if (ending === 'destroy-at-once') {
      c.write(wire.subarray(0, r.int(0, wire.length)));
      c.destroy();
      return;
    }
    for (let at = 0; at < wire.length;) {
      const size = r.chance(0.5) ? r.int(1, 64) : r.int(64, 256 * 1024);
      if (!c.socket.write(wire.subarray(at, at + size))) {
        // A peer that closed on us (a huge line) never drains.
        await Promise.race([new Promise((res) => c.socket.once('drain', res)), c.closed]);
      }
      at += size;
      if (c.ended || c.socket.destroyed) break;
      if (r.chance(0.3)) await new Promise((res) => setImmediate(res));
    }
    if (ending === 'destroy-mid-frame' || ending === 'never-read') {
      await new Promise((res) => setTimeout(res, r.int(0, 20)));
      c.destroy();
      return;
    }
    if (ending === 'end-later') await new Promise((res) => setTimeout(res, r.int(0, 50)));
    c.end();
    const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 15_000).unref());
    if ((await Promise.race([c.closed, timeout])) === 'timeout') {
      stats.problems.push(`a ${ending} session was not closed by the daemon within 15 s`);
      return;
    }
    const ids: string[] = [];
    for (const line of c.takeAll()) {
      stats.answers++;
      for (const p of checkAnswerLine(line, ids)) stats.problems.push(p);
    }
    const fatal = frames.some((f) => f.fatal);
    if (fatal) {
      if (!ids.length && !c.socket.destroyed) stats.problems.push('no answer after a huge line');
      return;
    }
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    for (const f of frames) {
      for (const id of f.owed) {
        const count = seen.get(id) ?? 0;
        if (count === 0) stats.unanswered++;
        if (count > 1) stats.duplicated++;
      }
    }
  } finally {
    c.destroy();
  }
}


let halfway = false;
// Each connection gets its own random stream, so the sessions do not depend on scheduling.
await Promise.all(Array.from({ length: options.connections }, async (_, w) => {
  const r = makeRandom(options.seed ^ Math.imul(w + 1, 0x9e3779b1));
  while (stats.frames < options.minFrames) {
    await session(r, options.sockets[w % options.sockets.length]!);
    if (!halfway && stats.frames >= options.minFrames / 2) {
      halfway = true;
      parentPort!.postMessage({ type: 'halfway' });
    }
  }
}));
stats.problems = stats.problems.slice(0, 50);
parentPort!.postMessage({ type: 'done', stats });
