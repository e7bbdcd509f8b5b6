import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, run, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait } from '../helpers/backup-flow.ts';
import { mariadbAvailable, startMariadb } from '../peers/mariadb.ts';
import { postgresqlAvailable, startPostgresql } from '../peers/postgresql.ts';
import { makeMaildir } from '../sources/mail/make-maildir.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();
const maria = mariadbAvailable();
const pg = postgresqlAvailable();

t.test('a full snapshot through the daemon carries loadable dumps of both engines and the mailbox', async (t) => {
  if (!requirePeer(t, 'mariadb', maria.ok, maria.why) || !requirePeer(t, 'postgresql', pg.ok, pg.why)) return;
  const [mdb, pdb] = await Promise.all([startMariadb(), startPostgresql()]);
  t.teardown(() => Promise.all([mdb.stop(), pdb.stop()]));
  await mdb.sql("CREATE DATABASE shop_wp; USE shop_wp; CREATE TABLE posts (id INT PRIMARY KEY AUTO_INCREMENT, title VARCHAR(200)) DEFAULT CHARSET=utf8mb4; INSERT INTO posts (title) SELECT CONCAT('Grüße #', seq) FROM seq_1_to_500;");
  await pdb.sql('CREATE DATABASE shop_app');
  await pdb.sql("CREATE TABLE orders (id serial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT 'naïve ' || g FROM generate_series(1, 700) g;", 'shop_app');

  const tenant = await makeTenant(t);
  const maildir = path.join(tenant.home, 'Maildir');
  const messages = makeMaildir(maildir, 40, { uid: tenant.uid, gid: tenant.gid });
  await run('chown', ['-R', `${tenant.uid}:${tenant.gid}`, maildir]);

  const d = await startDaemon(t, { config: { databases: { mariadb: mdb.config, postgresql: pdb.config } } });
  const c = await d.admin();
  await c.call('account.put', {
    name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home,
    databases: [{ engine: 'mariadb', name: 'shop_wp' }, { engine: 'postgresql', name: 'shop_app' }],
    mailboxes: [{ address: 'info@shop.example', maildir, passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA' }],
  });
  const estimate = await c.call<{ databases: number; mailboxes: number; bytes: number }>('backup.estimate', { account: 'shop' });
  t.same([estimate.databases, estimate.mailboxes], [2, 1]);
  const { snapshot } = await backupAndWait(c, { account: 'shop' });
  const out = sharedTempDir(t);
  await run('tar', ['-xzf', snapshot.path!, '-C', out]);
  await t.resolves(run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out }), 'sha256sum -c');

  await mdb.sql('CREATE DATABASE fresh_wp');
  await mdb.load(path.join(out, 'databases/shop_wp.sql'), 'fresh_wp');
  const [src, dst] = await Promise.all([mdb.sql('CHECKSUM TABLE posts', 'shop_wp'), mdb.sql('CHECKSUM TABLE posts', 'fresh_wp')]);
  t.equal(dst.split('\t')[1], src.split('\t')[1], 'MariaDB table checksum equal after loading the dump');
  t.equal((await mdb.sql('SELECT count(*) FROM posts', 'fresh_wp')).trim(), '500');

  await pdb.sql('CREATE DATABASE fresh_app');
  await pdb.load(path.join(out, 'databases/shop_app.sql'), 'fresh_app');
  const digest = "SELECT count(*) || ':' || md5(string_agg(id || '|' || note, ',' ORDER BY id)) FROM orders";
  t.equal(await pdb.sql(digest, 'fresh_app'), await pdb.sql(digest, 'shop_app'), 'PostgreSQL rows and digest equal');

  const mailRoot = path.join(out, 'mail', 'info@shop.example');
  const emails = fs.readFileSync(path.join(mailRoot, 'emails.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { blobId: string });
  t.equal(emails.length, messages.length, 'every message exported');
  for (const e of emails.slice(0, 10)) {
    const blob = fs.readFileSync(path.join(mailRoot, 'blobs', `${e.blobId}.eml`));
    t.equal(createHash('sha256').update(blob).digest('hex'), e.blobId, 'blob named by its sha256');
  }
  const account = JSON.parse(fs.readFileSync(path.join(mailRoot, 'account.json'), 'utf8'));
  t.match(account.passwordHash ?? JSON.stringify(account), /\$argon2id\$/, 'only the Argon2id hash');
});
