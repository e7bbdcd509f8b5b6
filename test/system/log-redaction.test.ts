import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/system/logger.ts';
import { startDaemon } from '../helpers/daemon.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } });
  return { lines, sink };
}

const SECRETS = ['hunter2-pass', 'AKIAsecretKEY123', 'xoxb-1234-token', 'ghp_tokentoken', 'PrivKeyMaterial', 'dbpass-in-url', 'tg-bot-token-777'];

t.test('logs never carry passwords, secret keys, tokens or credentials inside URLs', async (t) => {
  const { lines, sink } = capture();
  const log = createLogger('debug', sink);
  log.info({ password: SECRETS[0], s3: { secretAccessKey: SECRETS[1], bucket: 'b' }, headers: { authorization: `Bearer ${SECRETS[3]}` } }, 'destination saved');
  log.info({ url: `smtp://user:${SECRETS[5]}@mail.example:587/?from=a@b` }, 'notifier');
  log.warn(`could not reach telegram://${SECRETS[6]}@telegram?chats=1 and https://u:${SECRETS[5]}@h/x?token=${SECRETS[2]}&x=1`);
  log.error({ err: new Error(`login failed for mysql://root:${SECRETS[5]}@localhost/db`) }, 'dump failed');
  log.info({ deep: { list: [{ privateKey: SECRETS[4] }, { apiKey: SECRETS[2] }] } }, 'nested');
  log.flush();
  await new Promise((r) => setTimeout(r, 50));
  const all = lines.join('');
  t.ok(all.length > 0, 'something was logged');
  for (const s of SECRETS) t.notOk(all.includes(s), `secret ${s.slice(0, 6)}… is not in the log`);
  t.match(all, /"password":"\*\*\*"/);
  t.match(all, /smtp:\/\/\*\*\*@mail\.example:587/);
  t.match(all, /"bucket":"b"/, 'non-secret fields stay');
  t.match(all, /token=\*\*\*&x=1/);
});

t.test('the daemon logs with request ids and without secrets from failing calls', async (t) => {
  const d = await startDaemon(t, { config: { log: { level: 'debug' } } });
  const c = await d.admin();
  await c.call('agent.status');
  const call = d.logs.find((l) => l.msg === 'rpc call');
  t.ok(call, 'each call is logged at debug');
  t.match(call?.requestId, /^\d+\.\d+$/);
  t.equal(call?.method, 'agent.status');
});
