// The build that ships: the TypeScript compiled by tsconfig.build.json, with the entry points
// executable. `npm run build` (which packaging/build-deb.sh runs) makes dist/ with it:
//
//   node scripts/build-shipped.ts dist
//
// Tests and benchmarks make it in a throwaway directory to see what a node runs: JavaScript
// children and workers, with no TypeScript to strip at start-up. That directory is inside the
// repository, so the build resolves node_modules as the installed package does, and readable by
// all, as account-owned children load their scripts from it.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export interface ShippedBuild {
  /** Where the build is: `bin/hostagentd.js`, `src/...js`. */
  dir: string;
  remove(): void;
}

/** Compiles into outDir and makes every entry point there (a bin/*.js with a #! line) executable. */
export function compileTo(outDir: string): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  const bin = path.join(outDir, 'bin');
  for (const name of fs.readdirSync(bin)) {
    const file = path.join(bin, name);
    if (name.endsWith('.js') && fs.readFileSync(file, 'utf8').startsWith('#!')) fs.chmodSync(file, 0o755);
  }
}

export function buildShipped(): ShippedBuild {
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, '.build-shipped-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.chmodSync(dir, 0o755);
    compileTo(dir);
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, remove };
}

if (import.meta.main) {
  const outDir = process.argv[2];
  if (!outDir) {
    process.stderr.write('usage: node scripts/build-shipped.ts OUTDIR\n');
    process.exit(64);
  }
  compileTo(path.resolve(outDir));
}
