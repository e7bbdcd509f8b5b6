import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../src/errors/index.ts';
import { renderErrorTable } from '../../src/errors/markdown.ts';

const docs = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');

t.test('docs/errors.md lists exactly the codes in src/errors/codes.ts', async (t) => {
  const documented = [...docs.matchAll(/^\| `(AGENT_E_[A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]);
  const coded = Object.entries(ERROR_CODES).map(([k, v]) => [k, v.rpc]);
  t.same(new Map(documented as [string, number][]), new Map(coded as [string, number][]));
  t.equal(docs, renderErrorTable(), 'docs/errors.md is out of date: run `node scripts/gen-docs.ts`');
});

t.test('codes are unique and in the application range', async (t) => {
  const rpc = Object.values(ERROR_CODES).map((v) => v.rpc);
  t.equal(new Set(rpc).size, rpc.length, 'no two codes share a JSON-RPC number');
  for (const [name, info] of Object.entries(ERROR_CODES)) {
    t.ok(info.rpc >= 1000 && info.rpc <= 1999, `${name} in 1000-1999`);
    t.match(name, /^AGENT_E_[A-Z_]+$/);
  }
});
