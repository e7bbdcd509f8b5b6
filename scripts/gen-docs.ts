// Regenerates the docs that are derived from code: docs/errors.md.
import fs from 'node:fs';
import path from 'node:path';
import { renderErrorTable } from '../src/errors/markdown.ts';

const root = path.resolve(import.meta.dirname, '..');
fs.writeFileSync(path.join(root, 'docs/errors.md'), renderErrorTable());
console.log('wrote docs/errors.md');
