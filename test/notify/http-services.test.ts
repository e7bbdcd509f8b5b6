// Every HTTP service sends to a local receiver (endpoint overridden for the test) and the receiver
// checks method, path, headers and body. The same run proves secrets stay out of dry runs, errors
// and recorded attempts.
import t, { type Test } from 'tap';
import { deliver, dryRun, redactNotificationUrl, type DeliveryAttempt } from '../../src/notify/index.ts';
import { startReceiver, type Received, type Reply } from './receiver.ts';

const PB = 'o.SECRETpushbullet0123456789abcdefg'.slice(0, 34);
const message = { title: 'Backup failed', body: 'line one\nline two', level: 'error' as const };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const json = (r: Received) => JSON.parse(r.body) as Record<string, any>;
const form = (r: Received) => Object.fromEntries(new URLSearchParams(r.body));

interface Case {
  url: string;
  expect: Array<(t: Test, r: Received) => void>;
  reply?: (r: Received) => Reply;
}

const cases: Case[] = [
  { url: 'bark://:SECRETbark@api.day.app/?sound=bell', reply: () => ({ body: '{"code":200}' }), expect: [(t, r) => {
    t.equal(r.method, 'POST'); t.equal(r.path, '/push'); t.match(r.headers['content-type'], /application\/json/);
    t.match(json(r), { body: 'line one\nline two', title: 'Backup failed', device_key: 'SECRETbark', sound: 'bell', badge: 0 });
  }] },
  { url: 'discord://SECRETdisc@123456789?username=bot', reply: () => ({ status: 204, body: '' }), expect: [(t, r) => {
    t.equal(r.path, '/api/webhooks/123456789/SECRETdisc');
    t.same(json(r), { embeds: [{ title: 'Backup failed', description: 'line one', color: 0xd60510 }, { description: 'line two', color: 0xd60510 }], username: 'bot' });
  }] },
  { url: 'discord://SECRETdisc@123456789/raw', reply: () => ({ status: 204, body: '' }), expect: [(t, r) => {
    t.equal(r.path, '/api/webhooks/123456789/SECRETdisc'); t.equal(r.body, 'line one\nline two');
  }] },
  { url: 'gotify://gotify.example.com/sub/ASECRETgotify01?priority=5', expect: [(t, r) => {
    t.equal(r.path, '/sub/message?token=ASECRETgotify01');
    t.same(json(r), { message: 'line one\nline two', title: 'Backup failed', priority: 5 });
  }] },
  { url: 'gotify://gotify.example.com/ASECRETgotify01?useheader=yes', expect: [(t, r) => {
    t.equal(r.path, '/message'); t.equal(r.headers['x-gotify-key'], 'ASECRETgotify01');
  }] },
  { url: 'googlechat://chat.googleapis.com/v1/spaces/FOO/messages?key=SECRETkey&token=SECRETtok', expect: [(t, r) => {
    t.equal(r.path, '/v1/spaces/FOO/messages?key=SECRETkey&token=SECRETtok');
    t.same(json(r), { text: 'Backup failed\nline one\nline two' });
  }] },
  { url: 'ifttt://SECRETifttt/?events=e1,e2&titlevalue=1&value3=v3', expect: [1, 2].map((n) => (t: Test, r: Received) => {
    t.equal(r.path, `/trigger/e${n}/with/key/SECRETifttt`);
    t.same(json(r), { value1: 'Backup failed', value2: 'line one\nline two', value3: 'v3' });
  }) },
  { url: 'join://shoutrrr:SECRETjoin@join/?devices=d1,d2', expect: [(t, r) => {
    const u = new URL(r.path, 'http://x');
    t.equal(r.method, 'POST'); t.equal(u.pathname, '/_ah/api/messaging/v1/sendPush'); t.equal(r.body, '');
    t.same(Object.fromEntries(u.searchParams), { deviceIds: 'd1,d2', apikey: 'SECRETjoin', text: 'line one\nline two', title: 'Backup failed' });
  }] },
  { url: 'mattermost://bot@mm.example.com/SECRETmm/town', expect: [(t, r) => {
    t.equal(r.path, '/hooks/SECRETmm'); t.same(json(r), { text: 'Backup failed\nline one\nline two', username: 'bot', channel: 'town' });
  }] },
  {
    url: 'matrix://alice:SECRETmatrix@matrix.example.com/?rooms=!abc:example.com,%23ops:example.com',
    reply: (r) => {
      if (r.method === 'GET' && r.path.startsWith('/_matrix/client/r0/login')) return { body: '{"flows":[{"type":"m.login.password"}]}' };
      if (r.path.startsWith('/_matrix/client/r0/login')) return { body: '{"access_token":"SECRETissued"}' };
      if (r.path.includes('/join/')) return { body: '{"room_id":"!ops:example.com"}' };
      return { body: '{"event_id":"$e"}' };
    },
    expect: [
      (t, r) => { t.equal(r.method, 'GET'); t.equal(r.path, '/_matrix/client/r0/login'); },
      (t, r) => { t.equal(r.method, 'POST'); t.same(json(r), { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'SECRETmatrix' }); },
      (t, r) => { t.equal(r.method, 'POST'); t.equal(r.path, '/_matrix/client/r0/join/%23ops%3Aexample.com?access_token=SECRETissued'); },
      (t, r) => { t.equal(r.method, 'PUT'); t.match(r.path, /^\/_matrix\/client\/r0\/rooms\/!abc%3Aexample\.com\/send\/m\.room\.message\/[^/?]+\?access_token=SECRETissued$/); t.same(json(r), { msgtype: 'm.text', body: 'Backup failed\nline one\nline two' }); },
      (t, r) => { t.equal(r.method, 'PUT'); t.match(r.path, /rooms\/!ops%3Aexample\.com\/send/); },
    ],
  },
  { url: 'ntfy://u:SECRETntfy@ntfy.example.com/alerts?priority=high&tags=a,b&firebase=no', expect: [(t, r) => {
    t.equal(r.path, '/alerts'); t.equal(r.body, 'line one\nline two');
    t.match(r.headers, { title: 'Backup failed', priority: '4', tags: 'a,b', firebase: 'no', authorization: `Basic ${b64('u:SECRETntfy')}` });
  }] },
  { url: 'ntfy://ntfy.example.com/alerts?token=SECRETbearer&markdown=yes&title=Custom', expect: [(t, r) => {
    t.match(r.headers, { title: 'Custom', markdown: 'yes', authorization: 'Bearer SECRETbearer' });
  }] },
  { url: 'gotify://gotify.example.com/ASECRETgotify01?extras=%7B%22a%22%3A1%7D', expect: [(t, r) => {
    t.same(json(r), { message: 'line one\nline two', title: 'Backup failed', priority: 0, extras: { a: 1 } });
  }] },
  { url: 'opsgenie://api.opsgenie.com/SECRETops?responders=team:ops&tags=x,y', expect: [(t, r) => {
    t.equal(r.path, '/v2/alerts'); t.equal(r.headers.authorization, 'GenieKey SECRETops');
    t.same(json(r), { responders: [{ type: 'team', name: 'ops' }], tags: ['x', 'y'], message: 'Backup failed', description: 'line one\nline two' });
  }] },
  { url: `pushbullet://${PB}/dev1/%23chan`, expect: [
    (t, r) => { t.equal(r.path, '/v2/pushes'); t.equal(r.headers['access-token'], PB); t.same(json(r), { type: 'note', title: 'Backup failed', body: 'line one\nline two', device_iden: 'dev1' }); },
    (t, r) => { t.same(json(r), { type: 'note', title: 'Backup failed', body: 'line one\nline two', channel_tag: 'chan' }); },
  ] },
  { url: 'pushover://shoutrrr:SECRETpo@SECRETuser/?devices=a&priority=1', expect: [(t, r) => {
    t.equal(r.path, '/1/messages.json'); t.match(r.headers['content-type'], /x-www-form-urlencoded/);
    t.same(form(r), { token: 'SECRETpo', user: 'SECRETuser', message: 'line one\nline two', title: 'Backup failed', priority: '1', device: 'a' });
  }] },
  { url: 'rocketchat://bob@rc.example.com/SECRETa/SECRETb/general', expect: [(t, r) => {
    t.equal(r.path, '/hooks/SECRETa/SECRETb'); t.same(json(r), { text: 'Backup failed\nline one\nline two', username: 'bob', channel: '#general' });
  }] },
  { url: 'slack://hook:SECRETAAA1-SECRETBBB2-SECRETccccccccccccccccccc3@webhook?botname=hb&icon=:robot:&color=good', reply: () => ({ body: 'ok' }), expect: [(t, r) => {
    t.equal(r.path, '/services/SECRETAAA1/SECRETBBB2/SECRETccccccccccccccccccc3');
    t.same(json(r), { text: 'Backup failed', attachments: [{ text: 'line one', color: 'good' }, { text: 'line two', color: 'good' }], username: 'hb', icon_emoji: ':robot:' });
  }] },
  { url: 'slack://xoxb:123456789-987654321-SECRETccccccccccccccccccc3@C0123', reply: () => ({ body: '{"ok":true}' }), expect: [(t, r) => {
    t.equal(r.path, '/api/chat.postMessage'); t.equal(r.headers.authorization, 'Bearer xoxb-123456789-987654321-SECRETccccccccccccccccccc3');
    t.match(json(r), { channel: 'C0123', text: 'Backup failed' });
  }] },
  { url: 'teams://SECRETg@SECRETt/SECRETalt/SECRETown/SECRETx?host=org.webhook.office.com&color=ff0000', expect: [(t, r) => {
    t.equal(r.path, '/webhookb2/SECRETg@SECRETt/IncomingWebhook/SECRETalt/SECRETown/SECRETx');
    t.same(json(r), { '@type': 'MessageCard', '@context': 'http://schema.org/extensions', markdown: true, title: 'Backup failed', themeColor: 'ff0000', summary: 'Backup failed', sections: [{ text: 'line one' }, { text: 'line two' }] });
  }] },
  { url: 'telegram://12345:SECRETtg@telegram?chats=@chan,-1001:7&preview=no', expect: [
    (t, r) => { t.equal(r.path, '/bot12345:SECRETtg/sendMessage'); t.same(json(r), { chat_id: '@chan', text: '<b>Backup failed</b>\nline one\nline two', parse_mode: 'HTML', disable_web_page_preview: true, disable_notification: false }); },
    (t, r) => { t.match(json(r), { chat_id: '-1001', message_thread_id: 7 }); },
  ] },
  { url: 'zulip://bot%40z.example.com:SECRETzulip@z.example.com/?stream=ops', expect: [(t, r) => {
    t.equal(r.path, '/api/v1/messages'); t.equal(r.headers.authorization, `Basic ${b64('bot@z.example.com:SECRETzulip')}`);
    t.same(form(r), { type: 'stream', to: 'ops', topic: 'Backup failed', content: 'line one\nline two' });
  }] },
  { url: 'generic://example.com/hook?template=json&method=PUT&titlekey=subject&messagekey=text&@XApiToken=SECREThdr&$team=ops&foo=bar', expect: [(t, r) => {
    t.equal(r.method, 'PUT'); t.equal(r.path, '/hook?foo=bar'); t.equal(r.headers['x-api-token'], 'SECREThdr'); t.equal(r.headers['content-type'], 'application/json');
    t.same(json(r), { subject: 'Backup failed', text: 'line one\nline two', team: 'ops' });
  }] },
  { url: 'generic+https://user:SECRETbasic@example.com/api?token=SECRETq&x=1', expect: [(t, r) => {
    t.equal(r.method, 'POST'); t.equal(r.path, '/api?token=SECRETq&x=1'); t.equal(r.body, 'line one\nline two');
    t.equal(r.headers['content-type'], 'text/plain'); t.equal(r.headers.accept, 'text/plain');
    t.equal(r.headers.authorization, `Basic ${b64('user:SECRETbasic')}`);
  }] },
];

t.test('each service sends the expected requests', async (t) => {
  for (const c of cases) {
    await t.test(c.url.slice(0, c.url.indexOf(':')), async (t) => {
      const rx = await startReceiver(t, c.reply);
      const attempts: DeliveryAttempt[] = [];
      const result = await deliver(c.url, message, { endpointOverride: rx.origin, onAttempt: (a) => attempts.push(a) });
      t.same(result.ok, true, `delivered: ${result.error ?? ''}`);
      t.equal(rx.requests.length, c.expect.length, 'request count');
      c.expect.forEach((check, i) => rx.requests[i] && check(t, rx.requests[i]));
      t.equal(attempts.length, c.expect.length, 'one attempt recorded per request');
      t.ok(attempts.every((a) => a.ok && !/SECRET/.test(JSON.stringify(a))), 'attempts are ok and hide secrets');
      // The dry run lists the same requests, secrets masked.
      const planned = await dryRun(c.url, message);
      t.equal(planned.length, c.expect.length, 'dry run plans the same number of requests');
      t.notMatch(JSON.stringify(planned), /SECRET/, 'dry run hides secrets');
      planned.forEach((p, i) => {
        const got = rx.requests[i];
        if (!got) return;
        t.equal(p.method, got.method, 'dry run method');
        // '***' stands for a secret, and matrix transaction ids differ per run.
        const pattern = new URL(p.url).pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*\\\*\\\*/g, '.+').replace(/hostagent-\d+-\d+-\d+/, '[^/]+');
        t.match(new URL(got.path, 'http://x').pathname, new RegExp(`^${pattern}$`), 'dry run path');
      });
    });
  }
});

t.test('failures name the status but never a secret, in results and recorded attempts', async (t) => {
  for (const c of cases) {
    await t.test(c.url.slice(0, c.url.indexOf(':')), async (t) => {
      // The receiver echoes the whole request back in its error body.
      const rx = await startReceiver(t, (r) => ({ status: 500, body: JSON.stringify(r) }));
      const attempts: DeliveryAttempt[] = [];
      const result = await deliver(c.url, message, { endpointOverride: rx.origin, policy: { attempts: 2, baseDelayMs: 5 }, onAttempt: (a) => attempts.push(a) });
      t.equal(result.ok, false);
      t.equal(result.status, 500);
      t.match(result.error, /HTTP 500/);
      t.equal(attempts.length, 2, 'retried once on 5xx');
      t.notMatch(JSON.stringify(result), /SECRET/, 'result hides secrets');
      t.notMatch(JSON.stringify(attempts), /SECRET/, 'attempts hide secrets');
      t.notMatch(JSON.stringify(result), /dXNlcjpTRUNSRVQ|U0VDUkVU/, 'result hides base64 credentials');
      t.notMatch(redactNotificationUrl(c.url), /SECRET/, 'redacted URL hides secrets');
    });
  }
});
