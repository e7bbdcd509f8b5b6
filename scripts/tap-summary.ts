// Reads the raw TAP that `tap --output-file` saved and prints the test files that failed, each
// with its failed assertions (subtest path, place and a short diff), then the one summary line
// scripts/test.sh promises. The details sit next to the summary so that a log's tail has them:
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
  /** tap killed the file at its --timeout. */
  timedOut?: boolean;
}

const TOP_RESULT = /^(not )?ok \d+ - (.*?)(?: # (.*))?$/;
const SUMMARY = /^# \{ (total: \d+.*) \}$/;

export function summarize(tap: string): { counts: Counts | null; files: FileResult[]; bailedOut: boolean } {
  const files: FileResult[] = [];
  let counts: Counts | null = null;
  let bailedOut = false;
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('Bail out!')) bailedOut = true;
    const result = TOP_RESULT.exec(line);
    if (result) {
      const time = /time=([\d.]+)ms/.exec(result[3] ?? '');
      // A file tap killed at its timeout is reported as `not ok N - timeout!`, naming the file
      // only in the diagnostics that follow; a file that caught tap's timeout signal itself
      // reports a `timeout!` failure of its own inside its block, under its own name.
      const expired = result[1] ? expiredFile(lines, i) : null;
      const timedOut = expired !== null || (!!result[1] && selfReportedTimeout(lines, i));
      files.push({ ok: !result[1], name: expired ?? result[2]!, ms: time ? Number(time[1]) : null, ...(timedOut ? { timedOut: true } : {}) });
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

const TIMEOUT_FAILURE = /^\s+not ok \d+ - timeout!(?: #.*)?$/;

/** Whether the indented block of a top-level result (the lines before line i) holds a `timeout!` failure. */
function selfReportedTimeout(lines: string[], i: number): boolean {
  for (let j = i - 1; j >= 0 && !TOP_RESULT.test(lines[j]!); j--) {
    if (TIMEOUT_FAILURE.test(lines[j]!)) return true;
  }
  return false;
}

/** The `expired:` file of the YAML block under line i, if any. */
function expiredFile(lines: string[], i: number): string | null {
  if (lines[i + 1]?.trim() !== '---') return null;
  for (let j = i + 2; j < lines.length && lines[j]!.trim() !== '...'; j++) {
    const m = /^\s*expired: (.+)$/.exec(lines[j]!);
    if (m) return m[1]!.trim();
  }
  return null;
}

const SUBTEST = /^(\s*)# Subtest: (.*)$/;
const NOT_OK = /^(\s*)not ok \d+ - (.*?)(?: # (?:time=|SKIP|TODO).*)?$/;
const DETAIL_KEYS = /^(message|found|wanted|pattern|code|errno|signal|exitCode|tapCaught|error):/;
const MAX_DETAIL_LINES = 12;

/** The failed leaf assertions, as short readable lines, in the order they were reported. */
export function failureDetails(tap: string): string[] {
  const lines = tap.split('\n');
  const open: Array<{ indent: number; name: string }> = [];
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const sub = SUBTEST.exec(lines[i]!);
    if (sub) {
      const indent = sub[1]!.length;
      while (open.length && open[open.length - 1]!.indent >= indent) open.pop();
      open.push({ indent, name: sub[2]! });
      continue;
    }
    const bad = NOT_OK.exec(lines[i]!);
    if (!bad) continue;
    const indent = bad[1]!.length;
    const parents = open.filter((o) => o.indent < indent).map((o) => o.name);
    const closing = open.find((o) => o.indent === indent);
    // A subtest's own closing line: its failed children were reported already, unless it died
    // without any (a crash, a timeout), and then its diagnostics say why.
    const isClosing = closing !== undefined && closing.name === bad[2];
    const yaml: string[] = [];
    if (lines[i + 1]?.trim() === '---') {
      for (let j = i + 2; j < lines.length && lines[j]!.trim() !== '...'; j++) yaml.push(lines[j]!.slice(indent + 2));
    }
    if (isClosing && out.some((l) => l.startsWith(`  x ${[...parents, bad[2]].join(' > ')}`))) continue;
    const expired = indent === 0 ? expiredFile(lines, i) : null;
    if (expired) out.push(`  x ${expired} > timed out`);
    else if (bad[2] === 'timeout!' && parents.length === 1) out.push(`  x ${parents[0]} > timed out`);
    else out.push(`  x ${[...parents, bad[2]].join(' > ')}${place(yaml)}`);
    let shown = 0;
    for (let k = 0; k < yaml.length && shown < MAX_DETAIL_LINES; k++) {
      const line = yaml[k]!;
      if (DETAIL_KEYS.test(line)) { out.push(`      ${line}`); shown++; continue; }
      if (line.startsWith('diff:')) {
        for (k++; k < yaml.length && yaml[k]!.startsWith('  ') && shown < MAX_DETAIL_LINES; k++, shown++) {
          if (!/^  (---|\+\+\+) /.test(yaml[k]!)) out.push(`      ${yaml[k]!.slice(2)}`);
        }
        k--;
      }
    }
  }
  return out;
}

function place(yaml: string[]): string {
  const file = yaml.find((l) => l.startsWith('  fileName: '))?.slice(12);
  const line = yaml.find((l) => l.startsWith('  lineNumber: '))?.slice(14);
  return file ? ` (${file}${line ? `:${line}` : ''})` : '';
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
    console.log(`FAIL ${secs.padStart(7)}  ${f.name}${f.timedOut ? ' (timed out: killed at the per-file timeout, HOSTAGENT_TEST_TIMEOUT)' : ''}`);
  }
  const details = failureDetails(text);
  if (details.length) console.log(details.join('\n'));
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
