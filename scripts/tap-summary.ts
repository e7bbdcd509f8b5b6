// Reads the raw TAP that `tap --output-file` saved and prints the test files that failed, then
// the one summary line scripts/test.sh promises:
//
//   tests: N passed, N failed[, N skipped]
//
// The counts are tap's own final `# { total, pass, fail, todo, skip }` comment (leaf assertions,
// plus one failure per test file that died without reporting any); todo counts as skipped.
// Exit status 0 only when something ran and nothing failed.
//
//   node scripts/tap-summary.ts RAW.tap [--extra-failed N]
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Counts {
  pass: number;
  fail: number;
  skip: number;
  total: number;
}

interface FileResult {
  ok: boolean;
  name: string;
  ms: number | null;
}

const TOP_RESULT = /^(not )?ok \d+ - (.*?)(?: # (.*))?$/;
const SUMMARY = /^# \{ (total: \d+.*) \}$/;

export function summarize(tap: string): { counts: Counts | null; files: FileResult[]; bailedOut: boolean } {
  const files: FileResult[] = [];
  let counts: Counts | null = null;
  let bailedOut = false;
  for (const line of tap.split('\n')) {
    if (line.startsWith('Bail out!')) bailedOut = true;
    const result = TOP_RESULT.exec(line);
    if (result) {
      const time = /time=([\d.]+)ms/.exec(result[3] ?? '');
      files.push({ ok: !result[1], name: result[2], ms: time ? Number(time[1]) : null });
      continue;
    }
    const summary = SUMMARY.exec(line);
    if (summary) {
      const field = (key: string): number => Number(new RegExp(`\\b${key}: (\\d+)`).exec(summary[1])?.[1] ?? 0);
      counts = { total: field('total'), pass: field('pass'), fail: field('fail'), skip: field('skip') + field('todo') };
    }
  }
  return { counts, files, bailedOut };
}

export function summaryLine(c: Counts): string {
  return `tests: ${c.pass} passed, ${c.fail} failed` + (c.skip ? `, ${c.skip} skipped` : '');
}

function main(argv: string[]): number {
  const file = argv[0];
  const extra = argv[1] === '--extra-failed' ? Number(argv[2] ?? 0) : 0;
  if (!file) {
    console.error('usage: node scripts/tap-summary.ts RAW.tap [--extra-failed N]');
    return 2;
  }
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // tap never started: no results at all.
  }
  const { counts: reported, files, bailedOut } = summarize(text);
  console.log('');
  for (const f of files.filter((x) => !x.ok)) {
    const secs = f.ms === null ? '' : `${(f.ms / 1000).toFixed(1)}s`;
    console.log(`FAIL ${secs.padStart(7)}  ${f.name}`);
  }
  // Without tap's final summary (tap killed, bail out) fall back to counting test files.
  const counts = reported ?? {
    total: files.length,
    pass: files.filter((f) => f.ok).length,
    fail: Math.max(1, files.filter((f) => !f.ok).length),
    skip: 0,
  };
  counts.fail += extra;
  console.log(summaryLine(counts));
  if (counts.total === 0) console.error('no test ran');
  return counts.total > 0 && counts.fail === 0 && !bailedOut ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
