// Regenerates the docs that are derived from code: docs/errors.md, docs/api.md and
// docs/destinations.md. Tests fail when a committed file differs from what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderErrorTable } from '../src/errors/markdown.ts';
import { renderApiReference } from '../src/protocol/markdown.ts';
import { METHODS } from '../src/protocol/index.ts';
import { renderDestinationsReference } from '../src/storage/markdown.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** Every generated doc: repo-relative path to its content. */
export function renderDocs(): Record<string, string> {
  return {
    'docs/errors.md': renderErrorTable(),
    'docs/api.md': renderApiReference(METHODS),
    'docs/destinations.md': renderDestinationsReference(fs.readFileSync(path.join(ROOT, 'systemd/hostagent.service'), 'utf8')),
  };
}

function main(): void {
  for (const [rel, text] of Object.entries(renderDocs())) {
    fs.writeFileSync(path.join(ROOT, rel), text);
    console.log(`wrote ${rel}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
