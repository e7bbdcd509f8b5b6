// docs/api.md is generated from src/protocol/ and must match it; every example it shows (written
// with a descriptor or generated from the schemas) must be a valid call and a valid answer, and
// destination.put's written examples must be what a real daemon answers.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { METHODS, METHOD_BY_NAME, type MethodDescriptor, type MethodExample } from '../../src/protocol/index.ts';
import { renderApiReference } from '../../src/protocol/markdown.ts';
import { methodExample } from '../../src/protocol/method-example.ts';
import { makeAjv } from '../../src/core/index.ts';
import { startDaemon, tempDir, REPO } from '../helpers/daemon.ts';

const docs = fs.readFileSync(path.join(REPO, 'docs/api.md'), 'utf8');
// The validator the dispatcher checks params with (src/core/schema.ts), and the same for results.
const ajv = makeAjv();

function shownExamples(m: MethodDescriptor): MethodExample[] {
  return m.examples?.length ? [...m.examples] : [methodExample(m)];
}

t.test('docs/api.md is generated from the descriptors', async (t) => {
  t.equal(docs, renderApiReference(METHODS), 'docs/api.md is out of date: run `node scripts/gen-docs.ts`');
  for (const m of METHODS) {
    const section = docs.slice(docs.indexOf(`### \`${m.name}\``)).split(/\n### /)[0]!;
    t.ok(section.length > 0 && docs.includes(`### \`${m.name}\``), `${m.name} has a section`);
    for (const code of m.errors) t.ok(section.includes(`\`${code}\``), `${m.name} lists ${code}`);
    t.match(section, m.scope === 'admin' ? /admin socket only/ : /admin and panel sockets/, `${m.name} says where it is served`);
  }
});

t.test('every example shown is a valid call and a valid answer', async (t) => {
  for (const m of METHODS) {
    const validParams = ajv.compile(m.params);
    const validResult = ajv.compile(m.result);
    for (const e of shownExamples(m)) {
      t.ok(validParams(e.params), `${m.name} (${e.name}) params: ${ajv.errorsText(validParams.errors)}`);
      t.ok(validResult(e.result), `${m.name} (${e.name}) result: ${ajv.errorsText(validResult.errors)}`);
      if (m.scope === 'tenant' && 'actor' in ((m.params as { properties?: object }).properties ?? {})) {
        t.ok('actor' in e.params, `${m.name} (${e.name}) shows the actor a panel must send`);
      }
    }
  }
});

t.test('the generated examples catch a schema they cannot satisfy', async (t) => {
  const impossible = { ...METHOD_BY_NAME.get('limits.reset')!, examples: undefined, params: { type: 'object', required: ['x'], properties: { x: { type: 'string', pattern: '^Z{3}$' } } } } as unknown as MethodDescriptor;
  t.throws(() => methodExample(impossible), /no example fits the string schema at x/);
});

t.test('destination.put\'s examples are what the daemon answers', async (t) => {
  const d = await startDaemon(t);
  const admin = await d.admin();
  // A local destination's directory must exist: the example's is swapped for one made here.
  const directory = tempDir(t, 'hostagent-example-dest-');
  const here = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"/mnt/backup/hostagent"', JSON.stringify(directory))) as Record<string, unknown>;
  for (const e of METHOD_BY_NAME.get('destination.put')!.examples ?? []) {
    const answer = await admin.call<Record<string, unknown>>('destination.put', here(e.params));
    const timestamps = { createdAt: answer.createdAt, updatedAt: answer.updatedAt };
    t.same(answer, { ...here(e.result), ...timestamps }, e.name);
  }
});
