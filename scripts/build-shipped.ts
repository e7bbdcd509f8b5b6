// The build that ships, made in a throwaway directory: the TypeScript compiled by
// tsconfig.build.json, as packaging/build-deb.sh installs it. Tests and benchmarks run it to see
// what a node runs: JavaScript children and workers, with no TypeScript to strip at start-up.
// The directory is inside the repository, so the build resolves node_modules as the installed
// package does, and readable by all, as account-owned children load their scripts from it.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export interface ShippedBuild {
  /** Where the build is: `bin/hostagentd.js`, `src/...js`. */
  dir: string;
  remove(): void;
}

export function buildShipped(): ShippedBuild {
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, '.build-shipped-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.chmodSync(dir, 0o755);
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, remove };
}
