// Task of a child acting as the account (account-child-entry.ts): counts the files and bytes of
// the home with lstat only, and reads the git HEAD of each docroot. The home is opened
// fd-relative with O_NOFOLLOW from the root-owned anchor, and so is every directory on the way
// to a HEAD or ref: a symlink anywhere is not followed, so no docroot leads out of the home.
import fs from 'node:fs';
import path from 'node:path';
import { at, isComponent, openDirBelow, openDirBelowFd } from '../common/fd-walk.ts';
import { readFileAt } from '../common/fd-file.ts';
import type { ChildTask } from '../common/account-child-entry.ts';
import { makeExcluder, sshAllows } from '../files/policy.ts';

export interface HomeFactsRequest { anchor: string; rest: string[]; docroots: string[]; excludes: string[] }
export interface GitHead { ref: string | null; commit: string | null }

const MAX_GIT_FILE = 64 * 1024;
const COMMIT = /^[0-9a-f]{40,64}$/;
const REF = /^ref: (refs\/[A-Za-z0-9._/-]+)$/;

function count(homeFd: number, excludes: string[]): { files: number; bytes: number } {
  // The archive's own selection, so the count is the one the snapshot reports.
  const excluded = makeExcluder(excludes);
  const root = at(homeFd, '.');
  let files = 0;
  let bytes = 0;
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, rel));
    } catch {
      continue;
    }
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      if (!sshAllows(r) || excluded(r)) continue;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(root, r));
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
  return { files, bytes };
}

/** The text of file `parts` below `fromFd`, never following a symlink; null when unreadable. */
function readBelow(fromFd: number, parts: string[]): string | null {
  if (parts.length === 0 || !parts.every(isComponent)) return null;
  let dirFd: number;
  try {
    dirFd = openDirBelowFd(fromFd, parts.slice(0, -1));
  } catch {
    return null;
  }
  try {
    return readFileAt(dirFd, parts[parts.length - 1]!, MAX_GIT_FILE).data.toString('utf8');
  } catch {
    return null;
  } finally {
    fs.closeSync(dirFd);
  }
}

function gitHead(homeFd: number, docroot: string): GitHead | null {
  const git = [...docroot.split('/').filter((p) => p !== '' && p !== '.'), '.git'];
  const head = readBelow(homeFd, [...git, 'HEAD'])?.trim();
  if (!head) return null;
  const m = REF.exec(head);
  if (!m) return { ref: null, commit: COMMIT.test(head) ? head : null };
  let commit = readBelow(homeFd, [...git, ...m[1]!.split('/')])?.trim() ?? null;
  if (!commit) {
    const packed = readBelow(homeFd, [...git, 'packed-refs']) ?? '';
    commit = packed.split('\n').find((l) => l.endsWith(` ${m[1]}`))?.split(' ')[0] ?? null;
  }
  return { ref: m[1]!, commit: commit && COMMIT.test(commit) ? commit : null };
}

export const task: ChildTask = async (request, io) => {
  const req = request as HomeFactsRequest;
  const homeFd = openDirBelow(req.anchor, req.rest);
  try {
    const { files, bytes } = count(homeFd, req.excludes);
    const gitHeads: Record<string, GitHead> = {};
    for (const docroot of req.docroots) {
      const h = gitHead(homeFd, docroot);
      if (h) gitHeads[docroot] = h;
    }
    await io.send({ t: 'facts', files, bytes, gitHeads });
  } finally {
    fs.closeSync(homeFd);
  }
};
