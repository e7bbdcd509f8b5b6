import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { requirePeer, hasCommand } from '../../helpers/peer.ts';
import { entryBytes } from '../spy-tool.ts';
import { dnsEntries, type ZoneRef } from '../../../src/sources/dns/index.ts';
import type { ArchiveEntry } from '../../../src/core/archive-part.ts';
import type { AgentError } from '../../../src/errors/index.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-dns-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

const zone = (origin: string) => `$ORIGIN ${origin}.
$TTL 3600
@   IN SOA ns1.${origin}. hostmaster.${origin}. ( 2026112201 7200 3600 1209600 3600 )
    IN NS  ns1.${origin}.
    IN NS  ns2.example.net.
    IN MX  10 mail.${origin}.
    IN TXT "v=spf1 mx -all"
ns1 IN A   192.0.2.1
www IN A   192.0.2.10
www IN AAAA 2001:db8::10
mail IN A  192.0.2.20
_dmarc IN TXT "v=DMARC1; p=none"
shop IN CNAME www
`;

// The zone files below lie where only root can write: root reads them, whoever the account is.
const zonesOf = (zones: ZoneRef[]) => dnsEntries(zones, { as: { uid: 65534, gid: 65534 } });

async function collect(it: AsyncIterable<ArchiveEntry>): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

t.test('zones are exported as dns/<zone>.zone and pass named-checkzone', async (t) => {
  if (!requirePeer(t, 'named-checkzone', hasCommand('named-checkzone'), 'apt-get install bind9-utils')) return;
  fs.writeFileSync(path.join(work, 'db.example.com'), zone('example.com'));
  fs.writeFileSync(path.join(work, 'db.idn'), zone('xn--mnchen-3ya.de'));
  const entries = await collect(zonesOf([
    { name: 'Example.COM.', file: path.join(work, 'db.example.com') },
    { name: 'xn--mnchen-3ya.de', file: path.join(work, 'db.idn') },
  ]));
  t.same(entries.map((e) => e.path), ['dns/example.com.zone', 'dns/xn--mnchen-3ya.de.zone']);
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  for (const e of entries) {
    const data = await entryBytes(e.open);
    t.equal(data.length, e.size);
    const file = path.join(out, path.basename(e.path));
    fs.writeFileSync(file, data);
    const zoneName = path.basename(e.path, '.zone');
    const r = spawnSync('named-checkzone', [zoneName, file], { encoding: 'utf8' });
    t.equal(r.status, 0, `named-checkzone ${zoneName}: ${r.stdout}${r.stderr}`);
    t.match(r.stdout, /OK/);
  }
  t.equal(execFileSync('cmp', [path.join(work, 'db.example.com'), path.join(out, 'example.com.zone')]).length, 0, 'byte-exact');
});

t.test('a broken zone is caught by the checker (the check can fail)', async (t) => {
  if (!requirePeer(t, 'named-checkzone', hasCommand('named-checkzone'), 'apt-get install bind9-utils')) return;
  const file = path.join(work, 'db.broken');
  fs.writeFileSync(file, zone('broken.test').replace(/IN SOA .*\n/, ''));
  const [e] = await collect(zonesOf([{ name: 'broken.test', file }]));
  const copy = path.join(work, 'broken.zone');
  fs.writeFileSync(copy, await entryBytes(e!.open));
  t.not(spawnSync('named-checkzone', ['broken.test', copy]).status, 0);
});

t.test('a missing zone file is AGENT_E_SOURCE_READ naming zone and file', async (t) => {
  const missing = path.join(work, 'db.missing');
  const err = await collect(zonesOf([{ name: 'missing.test', file: missing }])).catch((e: unknown) => e) as AgentError;
  t.equal(err.code, 'AGENT_E_SOURCE_READ');
  t.match(err.message, /missing\.test/);
  t.match(err.message, /db\.missing/);
  t.match(err.message, /ENOENT/);
  const dirErr = await collect(zonesOf([{ name: 'dir.test', file: work }])).catch((e: unknown) => e) as AgentError;
  t.equal(dirErr.code, 'AGENT_E_SOURCE_READ');
});

t.test('bad and duplicate zone names are refused', async (t) => {
  const file = path.join(work, 'db.example.com');
  for (const name of ['../etc/passwd', 'a/b', '', 'exa mple.com', '-bad.com']) {
    const err = await collect(zonesOf([{ name, file }])).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_INVALID', JSON.stringify(name));
  }
  const dup = await collect(zonesOf([{ name: 'example.com', file }, { name: 'EXAMPLE.com.', file }])).catch((e: unknown) => e) as AgentError;
  t.equal(dup.code, 'AGENT_E_INVALID');
});
