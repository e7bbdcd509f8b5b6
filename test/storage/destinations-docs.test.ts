// docs/destinations.md is generated from the settings schemas and the systemd unit and must match
// them; each type's example must pass the validation destination.put applies.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { DESTINATION_TYPES, destinationSettings, validateSettings } from '../../src/storage/index.ts';
import { renderDestinationsReference, settingsExample } from '../../src/storage/markdown.ts';
import { REPO } from '../helpers/daemon.ts';

const docs = fs.readFileSync(path.join(REPO, 'docs/destinations.md'), 'utf8');
const unit = fs.readFileSync(path.join(REPO, 'systemd/hostagent.service'), 'utf8');

t.test('docs/destinations.md is generated from the schemas and the unit', async (t) => {
  t.equal(docs, renderDestinationsReference(unit), 'docs/destinations.md is out of date: run `node scripts/gen-docs.ts`');
});

t.test('every type and every key is documented', async (t) => {
  for (const type of DESTINATION_TYPES) {
    const section = docs.slice(docs.indexOf(`\n## ${type}\n`)).split(/\n## /)[1]!;
    t.ok(docs.includes(`\n## ${type}\n`), `${type} has a section`);
    for (const key of Object.keys(destinationSettings[type].properties)) t.ok(section.includes(`| \`${key}\` |`), `${type}.${key} has a row`);
  }
});

t.test('every example is accepted by the validation destination.put applies', async (t) => {
  for (const type of DESTINATION_TYPES) {
    const example = settingsExample(type);
    t.doesNotThrow(() => validateSettings(type, example), `${type} example is valid`);
  }
  t.throws(() => validateSettings('s3', { ...settingsExample('s3'), bucket: undefined }), /bucket/, 'and the validation does refuse a broken one');
});

t.test('the systemd section names every writable path of the unit and the drop-in', async (t) => {
  const section = docs.slice(docs.indexOf('## A local destination under systemd'));
  t.match(section, /ProtectSystem=strict/);
  const writable = unit.split('\n').filter((l) => l.startsWith('ReadWritePaths=')).flatMap((l) => l.slice('ReadWritePaths='.length).trim().split(/\s+/));
  t.ok(writable.length > 0, 'the unit has ReadWritePaths');
  for (const p of writable) t.ok(section.includes(`\`${p.replace(/^-/, '')}\``), `${p} is listed`);
  t.ok(section.includes('systemctl edit hostagent'));
  t.ok(section.includes('[Service]\nReadWritePaths=/mnt/backup'));
});
