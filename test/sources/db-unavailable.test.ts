// A database server that is not there, met by the real clients (mariadb, mariadb-dump, psql,
// pg_dump): AGENT_E_DB_UNAVAILABLE naming the engine, the database and the phase, while a
// server that answers and refuses (covered in each engine's dump test) stays AGENT_E_DB_DUMP.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasCommand, requirePeer } from '../helpers/peer.ts';
import { parseConfig } from '../../src/config/index.ts';
import { dumpMariadb, estimateMariadb } from '../../src/sources/mariadb/index.ts';
import { dumpPostgresql, estimatePostgresql } from '../../src/sources/postgresql/index.ts';
import { createPrivateDir, serverUnreachable } from '../../src/sources/common/index.ts';
import { freePort } from '../peers/free-port.ts';

const PASSWORD = 'Unr3achable-S3cret';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-dbdown-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
const spool = await createPrivateDir(work, 'spool-');
const port = await freePort();
const { mariadb, postgresql } = parseConfig({}).databases;

t.test('mariadb: closed port and missing socket', async (t) => {
  if (!requirePeer(t, 'mariadb client', hasCommand('mariadb-dump') && hasCommand('mariadb'))) return;
  for (const config of [{ ...mariadb, host: '127.0.0.1', port, password: PASSWORD }, { ...mariadb, socket: path.join(work, 'no-mysqld.sock'), password: PASSWORD }]) {
    const dump = await dumpMariadb({ config, database: 'shop_wp', spoolDir: spool.dir }).catch((e: unknown) => e);
    t.match(dump, { code: 'AGENT_E_DB_UNAVAILABLE', message: /^mariadb database "shop_wp": the server cannot be reached \(phase: dump\): .*Can't connect/, data: { engine: 'mariadb', databases: ['shop_wp'], phase: 'dump' } });
    const estimate = await estimateMariadb(config, ['shop_wp', 'shop_blog'], { about: { account: 'shop' } }).catch((e: unknown) => e);
    t.match(estimate, { code: 'AGENT_E_DB_UNAVAILABLE', message: /^mariadb databases "shop_wp", "shop_blog" of account shop: the server cannot be reached \(phase: estimate\)/ });
    t.notMatch(JSON.stringify([String(dump), String(estimate)]), PASSWORD);
  }
  t.same(fs.readdirSync(spool.dir), [], 'no partial dump or option file left');
});

t.test('postgresql: closed port and missing socket directory', async (t) => {
  if (!requirePeer(t, 'postgresql client', hasCommand('pg_dump') && hasCommand('psql'))) return;
  for (const config of [{ ...postgresql, host: '127.0.0.1', port, password: PASSWORD }, { ...postgresql, host: path.join(work, 'no-pg-run') }]) {
    const dump = await dumpPostgresql({ config, database: 'shop_app', spoolDir: spool.dir }).catch((e: unknown) => e);
    t.match(dump, { code: 'AGENT_E_DB_UNAVAILABLE', message: /^postgresql database "shop_app": the server cannot be reached \(phase: dump\): .*connection to server/, data: { engine: 'postgresql', phase: 'dump' } });
    const estimate = await estimatePostgresql(config, ['shop_app'], { about: { phase: 'size check before the backup' } }).catch((e: unknown) => e);
    t.match(estimate, { code: 'AGENT_E_DB_UNAVAILABLE', message: /\(phase: size check before the backup\)/ });
    t.notMatch(JSON.stringify([String(dump), String(estimate)]), PASSWORD);
  }
});

t.test('a server that answers and refuses is not "unreachable"', async (t) => {
  t.notOk(serverUnreachable('mariadb', "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)"));
  t.notOk(serverUnreachable('mariadb', "mariadb-dump: Got error: 1049: \"Unknown database 'x'\" when selecting the database"));
  t.notOk(serverUnreachable('postgresql', 'pg_dump: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "postgres"'));
  t.notOk(serverUnreachable('postgresql', 'pg_dump: error: connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: FATAL:  database "x" does not exist'));
});
