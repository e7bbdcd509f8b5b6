// What a dry run shows: every secret hidden, and ordinary words that merely contain a secret's
// text (in the message or in other parts of the URL) left as written.
import fs from 'node:fs';
import t from 'tap';
import { dryRun, parseNotificationUrl, testNotification } from '../../src/notify/index.ts';

interface RedactionVector {
  url: string;
  secret: string;
  message: { title: string; body: string };
  /** The notification URL as logs and history show it. */
  redactedUrl: string;
  /** The one planned request's URL. */
  requestUrl: string;
  /** Words that contain the secret's text and must survive in the planned request. */
  intact: string[];
}

const vectors: RedactionVector[] = [
  {
    url: 'discord://backupjob@123456789?username=backupjobs',
    secret: 'backupjob',
    message: { title: 'nightly backupjobs report', body: 'prebackupjob hook ran' },
    redactedUrl: 'discord://***@123456789?username=backupjobs',
    requestUrl: 'https://discord.com/api/webhooks/123456789/***',
    intact: ['backupjobs', 'nightly backupjobs report', 'prebackupjob hook ran'],
  },
  {
    url: 'telegram://12345:hostagent@telegram?chats=@hostagentops',
    secret: 'hostagent',
    message: { title: 'hostagents report', body: 'the hostagentd daemon finished' },
    redactedUrl: 'telegram://***@telegram?chats=@hostagentops',
    requestUrl: 'https://api.telegram.org/***/sendMessage',
    intact: ['@hostagentops', 'hostagents report', 'hostagentd daemon'],
  },
  {
    url: 'mattermost://bot@chat.myopsalerts1.example/opsalerts1/opsalerts1team',
    secret: 'opsalerts1',
    message: { title: 'Backup failed', body: 'see myopsalerts1 for details' },
    // URL userinfo is always hidden in logs, a user name included.
    redactedUrl: 'mattermost://***@chat.myopsalerts1.example/***/opsalerts1team',
    requestUrl: 'https://chat.myopsalerts1.example/hooks/***',
    intact: ['opsalerts1team', 'see myopsalerts1 for details'],
  },
  {
    url: 'generic://monitor:s3cretpass@hooks.example.com/s3cretpassage?note=s3cretpasses',
    secret: 's3cretpass',
    message: { title: 'Backup failed', body: 'the s3cretpassword rotation is due' },
    redactedUrl: 'generic://***@hooks.example.com/s3cretpassage?note=s3cretpasses',
    requestUrl: 'https://hooks.example.com/s3cretpassage?note=s3cretpasses',
    intact: ['the s3cretpassword rotation is due'],
  },
];

const wholeToken = (s: string) => new RegExp(`(?<![A-Za-z0-9])${s}(?![A-Za-z0-9])`);

t.test('a dry run hides secrets but keeps words that contain their text', async (t) => {
  for (const v of vectors) {
    await t.test(v.url, async (t) => {
      t.equal(parseNotificationUrl(v.url).redactedUrl, v.redactedUrl, 'redacted notification URL');
      const planned = await dryRun(v.url, { ...v.message, level: 'error' });
      t.equal(planned.length, 1, 'one request');
      const [req] = planned;
      if (!req) return;
      t.equal(req.url, v.requestUrl, 'request URL');
      const shown = JSON.stringify(req);
      t.notMatch(shown, wholeToken(v.secret), 'the secret is hidden');
      for (const word of v.intact) t.ok(shown.includes(word), `"${word}" intact`);
    });
  }
});

t.test("the README's notify example works as written", async (t) => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const example = /agentctl notify test '([^']+)' --dry-run/.exec(readme)?.[1];
  t.equal(example, 'discord://token@id', 'the README shows shoutrrr\'s discord://token@webhookid form');
  if (!example) return;
  const result = await testNotification(example, { dryRun: true, host: 'node1' });
  t.match(result, { requests: [{ method: 'POST', url: 'https://discord.com/api/webhooks/id/***' }] });
  t.notMatch(JSON.stringify(result), wholeToken('token'), 'the token is hidden');
});
