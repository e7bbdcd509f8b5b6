// Runs as the account's uid/gid: walks the home with lstat only (never following a link) and
// reads the git HEAD of each docroot, so no tenant-controlled path is opened as root.
import fs from 'node:fs';
import path from 'node:path';
import { makeExcluder, sshAllows } from '../files/policy.ts';

interface Request { home: string; docroots: string[]; excludes: string[] }

const req = JSON.parse(process.argv[2] ?? '{}') as Request;
let files = 0;
let bytes = 0;
// The archive's own selection, so the count is the one the snapshot reports.
const excluded = makeExcluder(req.excludes ?? []);
const stack = [''];
while (stack.length) {
  const rel = stack.pop()!;
  let names: string[];
  try {
    names = fs.readdirSync(path.join(req.home, rel));
  } catch {
    continue;
  }
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    if (!sshAllows(r) || excluded(r)) continue;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(req.home, r));
    } catch {
      continue;
    }
    if (st.isDirectory()) stack.push(r);
    else if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
}

function readNoFollow(p: string): string | null {
  try {
    const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      return fs.readFileSync(fd, 'utf8').slice(0, 4096);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

const gitHeads: Record<string, { ref: string | null; commit: string | null }> = {};
for (const docroot of req.docroots) {
  const git = path.join(req.home, docroot, '.git');
  const head = readNoFollow(path.join(git, 'HEAD'))?.trim();
  if (!head) continue;
  const m = /^ref: (refs\/[A-Za-z0-9._\/-]+)$/.exec(head);
  if (!m) {
    gitHeads[docroot] = { ref: null, commit: /^[0-9a-f]{40,64}$/.test(head) ? head : null };
    continue;
  }
  let commit = readNoFollow(path.join(git, m[1]!))?.trim() ?? null;
  if (!commit) {
    const packed = readNoFollow(path.join(git, 'packed-refs')) ?? '';
    commit = packed.split('\n').find((l) => l.endsWith(` ${m[1]}`))?.split(' ')[0] ?? null;
  }
  gitHeads[docroot] = { ref: m[1]!, commit: commit && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null };
}
process.stdout.write(JSON.stringify({ files, bytes, gitHeads }));
