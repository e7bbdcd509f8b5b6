// Usage: node scripts/make-account.ts DIR [--profile small|wordpress|large] [--seed N]
import { parseArgs } from 'node:util';
import path from 'node:path';
import { makeSampleAccount, SAMPLE_PROFILES, type SampleProfile } from '../src/sample/make-account.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { profile: { type: 'string', default: 'small' }, seed: { type: 'string', default: '1' } } });
const profile = values.profile as SampleProfile;
if (positionals.length !== 1 || !Object.hasOwn(SAMPLE_PROFILES, profile)) {
  console.error('usage: make-account.ts DIR [--profile small|wordpress|large] [--seed N]');
  process.exit(2);
}
console.log(JSON.stringify(makeSampleAccount(path.resolve(positionals[0]!), profile, Number(values.seed))));
