// scripts/run-tap.sh (the tap half of scripts/test.sh) run for real against a throwaway project:
// its summary line must carry tap's counts, and its exit status must be non-zero whenever
// anything failed or nothing ran.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SUMMARY = /^tests: \d+ passed, \d+ failed(, \d+ skipped)?$/;

function project(t: Test, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-runtap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  fs.copyFileSync(path.join(ROOT, '.taprc'), path.join(dir, '.taprc'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function runTap(dir: string, args: string[] = [], extraFailed = 0, timeoutSeconds = 60) {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/run-tap.sh'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: cleanEnv({ HOSTAGENT_EXTRA_FAILED: String(extraFailed), HOSTAGENT_TEST_TIMEOUT: String(timeoutSeconds) }),
  });
  const lines = r.stdout.split('\n').filter(Boolean);
  return { status: r.status, last: lines.at(-1) ?? '', stdout: r.stdout, stderr: r.stderr };
}

const PASSING = `import t from 'tap';\nt.pass('a');\nt.equal(1, 1, 'b');\nt.test('sub', async (t) => { t.ok(true, 'c'); });\n`;
const SKIPPING = `import t from 'tap';\nt.pass('peer missing', { skip: 'no peer' });\nt.pass('d');\n`;
const FAILING = `import t from 'tap';\nt.equal(1, 2, 'wrong');\nt.pass('e');\n`;
const CRASHING = `throw new Error('dies while loading');\n`;
// Helpers under test/ are not test files: if this ran, it would count as a failure.
const HELPER = `process.exit(3);\n`;

t.test('all passing: exit 0 and exact counts', async (t) => {
  const dir = project(t, { 'test/a.test.ts': PASSING, 'test/s.test.ts': SKIPPING, 'test/helpers/h.ts': HELPER });
  const r = runTap(dir);
  t.match(r.last, SUMMARY, 'last line is the summary', { stdout: r.stdout });
  t.equal(r.last, 'tests: 4 passed, 0 failed, 1 skipped');
  t.equal(r.status, 0, 'exit 0', { stderr: r.stderr });
});

t.test('a failing assertion and a crashing file: exit 1, both counted', async (t) => {
  const dir = project(t, { 'test/a.test.ts': PASSING, 'test/f.test.ts': FAILING, 'test/c.test.ts': CRASHING });
  const r = runTap(dir);
  t.equal(r.last, 'tests: 4 passed, 2 failed', 'one failed assertion + one file that died', { stdout: r.stdout });
  t.not(r.status, 0, 'non-zero exit');
  t.match(r.stdout, /^FAIL .* test\/c\.test\.ts$/m, 'the crashed file is named');
});

t.test('arguments pass through to tap: one file runs', async (t) => {
  const dir = project(t, { 'test/a.test.ts': PASSING, 'test/f.test.ts': FAILING });
  const r = runTap(dir, ['test/a.test.ts']);
  t.equal(r.last, 'tests: 3 passed, 0 failed', { stdout: r.stdout });
  t.equal(r.status, 0);
});

t.test('failures found before tap (typecheck) are added and fail the run', async (t) => {
  const dir = project(t, { 'test/a.test.ts': PASSING });
  const r = runTap(dir, [], 1);
  t.equal(r.last, 'tests: 3 passed, 1 failed', { stdout: r.stdout });
  t.not(r.status, 0);
});

t.test('no test at all is not a success', async (t) => {
  const dir = project(t, { 'test/helpers/h.ts': 'export const x = 1;\n' });
  const r = runTap(dir);
  t.match(r.last, SUMMARY, { stdout: r.stdout, stderr: r.stderr });
  t.not(r.status, 0, 'non-zero exit when nothing ran');
});

t.test('a file killed at the per-file timeout is named as timed out, not as an anonymous failure', async (t) => {
  const HANGING = `import t from 'tap';\nt.pass('before');\nawait new Promise((r) => setTimeout(r, 120000));\n`;
  const dir = project(t, { 'test/a.test.ts': PASSING, 'test/hangs.test.ts': HANGING });
  const r = runTap(dir, [], 0, 5);
  t.not(r.status, 0, 'non-zero exit');
  t.match(r.stdout, /^FAIL .* test\/hangs\.test\.ts \(timed out/m, 'the FAIL line names the file and says it timed out', { stdout: r.stdout });
  t.match(r.stdout, /^  x test\/hangs\.test\.ts > timed out$/m, 'so does the failure detail');
  t.notMatch(r.stdout, /^\s*x timeout!$/m, 'no anonymous timeout line');
  // The file's own `before` may or may not be counted, by which way tap's timeout reached it.
  t.match(r.last, /^tests: [34] passed, 1 failed$/);
});

// The other way tap's per-file timeout reaches a busy file: the file catches tap's signal itself
// and reports a `timeout!` failure inside its own block, under its own name.
t.test('a file that reports its own timeout is named as timed out too', async (t) => {
  const { summarize, failureDetails } = await import('../../scripts/tap-summary.ts');
  const tapText = [
    '# Subtest: test/a.test.ts',
    '    ok 1 - passes',
    '    1..1',
    'ok 1 - test/a.test.ts # time=80.3ms',
    '',
    '# Subtest: test/hangs.test.ts',
    '    ok 1 - before',
    '    not ok 2 - timeout!',
    '      ---',
    '      signal: null',
    '      ...',
    '    1..2',
    'not ok 2 - test/hangs.test.ts # time=5058.5ms',
    '',
    '# { total: 4, pass: 3, fail: 1 }',
  ].join('\n');
  const { files } = summarize(tapText);
  t.same(files.map((f) => [f.name, f.ok, f.timedOut === true]), [['test/a.test.ts', true, false], ['test/hangs.test.ts', false, true]]);
  const details = failureDetails(tapText);
  t.equal(details[0], '  x test/hangs.test.ts > timed out');
  t.notOk(details.some((l) => /timeout!/.test(l)), 'no anonymous timeout! line');
});
