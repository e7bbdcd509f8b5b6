// Tells the scripts whether node_modules still matches package-lock.json for the running node, so
// `npm ci` (slow, and it wipes node_modules) runs only when something changed.
// Builtins only: it runs before node_modules exists.
//
//   node scripts/deps-state.ts check   exit 0 up to date, 10 run `npm ci`, 11 run `npm rebuild`
//   node scripts/deps-state.ts write   record the current state after a successful install
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const lockFile = path.join(root, 'package-lock.json');
const modules = path.join(root, 'node_modules');
const stampFile = path.join(modules, '.hostagent-deps.json');

interface Stamp {
  lock: string;
  /** Native addons built for one node ABI break under another. */
  abi: string;
  platform: string;
  /** Optional addons whose build prerequisites were present at the last install. */
  prerequisites?: string[];
}

/**
 * Optional addons that build only where a system header exists. npm drops one whose build
 * failed, so a machine that gains the header later (the demo ran before install-peers.sh) needs
 * one more install to get it.
 */
const OPTIONAL_ADDONS = [{ name: 'sd-notify', header: '/usr/include/systemd/sd-daemon.h' }];

function presentPrerequisites(): string[] {
  return OPTIONAL_ADDONS.filter((a) => fs.existsSync(a.header)).map((a) => a.name);
}

function current(): Stamp {
  return {
    lock: createHash('sha256').update(fs.readFileSync(lockFile)).digest('hex'),
    abi: process.versions.modules,
    platform: `${process.platform}-${process.arch}`,
    prerequisites: presentPrerequisites(),
  };
}

/** An optional addon that is missing, whose prerequisites appeared since the last install. */
function addonNowBuildable(stamp: Stamp, now: Stamp): boolean {
  const before = new Set(stamp.prerequisites ?? []);
  return (now.prerequisites ?? []).some((name) => !before.has(name) && !fs.existsSync(path.join(modules, name, 'build', 'Release')));
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

type Packages = Record<string, { optional?: boolean }>;

/** Whether npm's own record of the tree (node_modules/.package-lock.json) equals the lockfile. */
function treeMatchesLock(): boolean {
  const lock = (readJson(lockFile) as { packages?: Packages } | undefined)?.packages;
  const tree = (readJson(path.join(modules, '.package-lock.json')) as { packages?: Packages } | undefined)?.packages;
  if (!lock || !tree) return false;
  for (const [name, entry] of Object.entries(lock)) {
    if (name === '') continue;
    // Optional packages for other platforms are in the lockfile but never installed.
    if (!tree[name]) {
      if (entry.optional) continue;
      return false;
    }
    if (JSON.stringify(tree[name]) !== JSON.stringify(entry)) return false;
  }
  return Object.keys(tree).every((name) => name in lock);
}

/** Built addons (build/Release/*.node) of top-level packages, e.g. sd-notify. */
function builtAddons(): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    const release = path.join(dir, 'build', 'Release');
    if (fs.existsSync(release)) {
      for (const f of fs.readdirSync(release)) if (f.endsWith('.node')) found.push(path.join(release, f));
    }
  };
  for (const name of fs.readdirSync(modules)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const sub of fs.readdirSync(path.join(modules, name))) visit(path.join(modules, name, sub));
    } else {
      visit(path.join(modules, name));
    }
  }
  return found;
}

/** An addon built for another node ABI refuses to load; that is the test. */
function addonsLoad(): boolean {
  return builtAddons().every((file) => {
    try {
      process.dlopen({ exports: {} }, file);
      return true;
    } catch {
      return false;
    }
  });
}

function check(): number {
  if (!fs.existsSync(modules)) return 10;
  const now = current();
  const stamp = readJson(stampFile) as Stamp | undefined;
  if (!stamp) {
    // A tree installed before this script existed: adopt it when it is what the lockfile says.
    if (!treeMatchesLock()) return 10;
    if (!addonsLoad()) return 11;
    fs.writeFileSync(stampFile, JSON.stringify(now) + '\n');
    return 0;
  }
  if (stamp.lock !== now.lock || stamp.platform !== now.platform || addonNowBuildable(stamp, now)) return 10;
  return stamp.abi === now.abi ? 0 : 11;
}

const command = process.argv[2];
if (command === 'check') {
  process.exitCode = check();
} else if (command === 'write') {
  fs.writeFileSync(stampFile, JSON.stringify(current()) + '\n');
} else {
  console.error('usage: node scripts/deps-state.ts check|write');
  process.exitCode = 2;
}
