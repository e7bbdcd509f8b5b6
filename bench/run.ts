// Runs every bench/<name>/run.ts in turn; extra arguments are passed to each.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const dir of fs.readdirSync(here, { withFileTypes: true })) {
  const script = path.join(here, dir.name, 'run.ts');
  if (!dir.isDirectory() || !fs.existsSync(script)) continue;
  console.log(`== bench/${dir.name}`);
  const r = spawnSync(process.execPath, [script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
