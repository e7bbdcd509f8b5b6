// The config files shipped in etc/ and docs/ are generated from src/config; this keeps the
// committed copies equal to what the generator produces now, and checks that they hold together.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { renderAll, ROOT, SCHEMA_FILE, DEFAULTS_FILE, DOCS_FILE } from '../../scripts/gen-config-files.ts';
import { readConfigFile } from '../../src/config/index.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const read = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), 'utf8');

t.test('committed files equal the generator output', async (t) => {
  for (const [rel, text] of Object.entries(renderAll())) {
    const onDisk = fs.existsSync(path.join(ROOT, rel)) ? read(rel) : '(missing)';
    t.equal(onDisk, text, `${rel} is out of date: run node scripts/gen-config-files.ts`);
  }
});

// A strict, independent validator, as an editor or a config-management tool would use it.
function compileShippedSchema() {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(read(SCHEMA_FILE)));
}

t.test('agent.json validates against agent.schema.json', async (t) => {
  const validate = compileShippedSchema();
  const defaults = JSON.parse(read(DEFAULTS_FILE));
  t.ok(validate(defaults), 'shipped default config is valid', { errors: validate.errors });

  // The schema is not vacuous: unknown keys and wrong types are refused at any depth.
  t.notOk(validate({ ...defaults, bogus: 1 }), 'unknown top-level key refused');
  const firstSection = Object.keys(defaults).find((k) => typeof defaults[k] === 'object' && defaults[k] !== null);
  t.ok(firstSection, 'there is at least one section');
  t.notOk(validate({ ...defaults, [firstSection!]: { ...defaults[firstSection!], bogus: 1 } }), `unknown key in ${firstSection} refused`);
  t.notOk(validate({ ...defaults, [firstSection!]: 'not an object' }), 'wrong type refused');
});

t.test('the daemon reads the shipped agent.json as exactly its defaults', async (t) => {
  const config = readConfigFile(path.join(ROOT, DEFAULTS_FILE)) as Record<string, unknown>;
  const shipped = JSON.parse(read(DEFAULTS_FILE));
  t.strictSame(config, shipped, 'loading adds and changes nothing');
});

t.test('docs/configuration.md lists every key of agent.json', async (t) => {
  const docs = read(DOCS_FILE);
  const leaves: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      leaves.push(prefix);
    }
  };
  walk(JSON.parse(read(DEFAULTS_FILE)), '');
  t.ok(leaves.length > 10, `agent.json has keys (${leaves.length})`);
  const missing = leaves.filter((key) => !docs.includes(`| \`${key}\` |`));
  t.strictSame(missing, [], 'every key path has a row');
});
