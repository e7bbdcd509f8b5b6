// Every service's URL forms, good and bad: what they parse to, and which part a bad one names.
import t from 'tap';
import { parseNotificationUrl, redactNotificationUrl, SUPPORTED_SCHEMES } from '../../src/notify/index.ts';
import { AgentError } from '../../src/errors/index.ts';

const PB = 'o.SECRETpushbullet0123456789abcdefg'.slice(0, 34);

const good: Array<[string, string, Record<string, unknown>]> = [
  ['bark://:SECRETbark@api.day.app/?sound=bell&badge=2', 'bark', { host: 'api.day.app', deviceKey: 'SECRETbark', sound: 'bell', badge: 2, scheme: 'https' }],
  ['bark://:SECRETbark@bark.example.com:8080/sub/?scheme=http', 'bark', { host: 'bark.example.com:8080', path: '/sub/', scheme: 'http' }],
  ['discord://SECRETdisc@123456789', 'discord', { webhookId: '123456789', token: 'SECRETdisc', raw: false, splitLines: true, color: 0x50d9ff }],
  ['discord://SECRETdisc@123456789/raw', 'discord', { raw: true }],
  ['discord://SECRETdisc@123456789?username=bot&avatar=https://x/y.png&color=0xff0000&splitlines=no&title=Hi', 'discord', { username: 'bot', avatar: 'https://x/y.png', color: 0xff0000, splitLines: false, title: 'Hi' }],
  ['discord://SECRETdisc@123456789?colorError=ff8800&avatarurl=https://a/b.png&thread_id=42', 'discord', { colorError: 0xff8800, avatar: 'https://a/b.png', threadId: '42' }],
  ['smtp://user:SECRETsmtp@mail.example.com:587/?fromaddress=a@b.c&toaddresses=x@y.z,w@y.z&auth=CRAMMD5&encryption=ExplicitTLS', 'smtp', { host: 'mail.example.com', port: 587, user: 'user', to: ['x@y.z', 'w@y.z'], auth: 'CRAMMD5', encryption: 'ExplicitTLS', useStartTls: true, useHtml: false }],
  ['smtp://mail.example.com/?from=a@b.c&to=x@y.z&fromname=Agent&subject=S&usehtml=yes&usestarttls=no', 'smtp', { port: 25, fromName: 'Agent', subject: 'S', useHtml: true, useStartTls: false, auth: 'Unknown', encryption: 'Auto' }],
  ['smtp://mail.example.com/?from=a+b@c.d&to=x+tag@y.z&starttls=no&requirestarttls=yes&skiptlsverify=yes&timeout=1m30s', 'smtp', { from: 'a+b@c.d', to: ['x+tag@y.z'], useStartTls: false, requireStartTls: true, skipTlsVerify: true, timeoutMs: 90_000 }],
  ['gotify://gotify.example.com/ASECRETgotify01', 'gotify', { host: 'gotify.example.com', path: '', token: 'ASECRETgotify01', priority: 0, disableTls: false }],
  ['gotify://gotify.example.com:8443/sub/path/ASECRETgotify01?priority=5&disabletls=yes&title=T', 'gotify', { path: '/sub/path', priority: 5, disableTls: true, title: 'T' }],
  ['gotify://gotify.example.com/ASECRETgotify01?useheader=yes&insecureskipverify=yes&extras=%7B%22client%3A%3Adisplay%22%3A%7B%22contentType%22%3A%22text%2Fmarkdown%22%7D%7D', 'gotify', { useHeader: true, insecureSkipVerify: true, extras: { 'client::display': { contentType: 'text/markdown' } } }],
  ['googlechat://chat.googleapis.com/v1/spaces/FOO/messages?key=SECRETkey&token=SECRETtok', 'googlechat', { host: 'chat.googleapis.com', path: '/v1/spaces/FOO/messages', key: 'SECRETkey', token: 'SECRETtok' }],
  ['hangouts://chat.googleapis.com/v1/spaces/FOO/messages?key=SECRETkey&token=SECRETtok', 'googlechat', { key: 'SECRETkey' }],
  ['ifttt://SECRETifttt/?events=e1,e2&value3=v3&messagevalue=1&titlevalue=2', 'ifttt', { key: 'SECRETifttt', events: ['e1', 'e2'], messageValue: 1, titleValue: 2 }],
  ['join://shoutrrr:SECRETjoin@join/?devices=d1,d2&icon=https://i/x.png', 'join', { apiKey: 'SECRETjoin', devices: ['d1', 'd2'], icon: 'https://i/x.png' }],
  ['mattermost://mm.example.com/SECRETmm', 'mattermost', { host: 'mm.example.com', token: 'SECRETmm', channel: '', username: '' }],
  ['mattermost://bot@mm.example.com:8065/SECRETmm/town?icon=https://i/x.png&disabletls=yes', 'mattermost', { host: 'mm.example.com:8065', channel: 'town', username: 'bot', disableTls: true }],
  // shoutrrr reads icon_emoji and icon_url as aliases of icon (mattermost_config.go).
  ['mattermost://mm.example.com/SECRETmm?icon_emoji=ghost', 'mattermost', { icon: 'ghost' }],
  ['mattermost://mm.example.com/SECRETmm?icon_url=https://i/x.png', 'mattermost', { icon: 'https://i/x.png' }],
  ['matrix://alice:SECRETmatrix@matrix.example.com/?rooms=!abc:example.com,%23ops:example.com,plain', 'matrix', { user: 'alice', rooms: ['!abc:example.com', '#ops:example.com', '#plain'] }],
  ['matrix://:SECRETmatrix@matrix.example.com:8448?disabletls=yes', 'matrix', { user: '', rooms: [], disableTls: true }],
  ['ntfy://ntfy.sh/alerts', 'ntfy', { host: 'ntfy.sh', topic: 'alerts', priority: '3', cache: true, firebase: true, scheme: 'https' }],
  ['ntfy://u:SECRETntfy@ntfy.example.com/alerts?priority=urgent&tags=warning,skull&cache=no&firebase=no&scheme=http', 'ntfy', { user: 'u', priority: '5', tags: ['warning', 'skull'], cache: false, firebase: false, scheme: 'http' }],
  ['ntfy://ntfy.example.com/alerts?token=SECRETbearer&markdown=yes&disabletls=yes&disabletlsverification=yes&actions=view, Open, https://x/a; http, Close, https://x/b', 'ntfy', { token: 'SECRETbearer', markdown: true, scheme: 'http', insecureSkipVerify: true, actions: 'view, Open, https://x/a; http, Close, https://x/b' }],
  ['opsgenie://api.eu.opsgenie.com/SECRETops?responders=team:ops,user:a@b.c&tags=x,y&priority=P2&details=k:v', 'opsgenie', { host: 'api.eu.opsgenie.com', port: 443, apiKey: 'SECRETops' }],
  ['opsgenie:///SECRETops', 'opsgenie', { host: 'api.opsgenie.com' }],
  [`pushbullet://${PB}`, 'pushbullet', { token: PB, targets: [] }],
  [`pushbullet://${PB}/dev1/%23chan/me%40x.y?title=T`, 'pushbullet', { targets: ['dev1', '#chan', 'me@x.y'], title: 'T' }],
  ['pushover://shoutrrr:SECRETpo@SECRETuser/?devices=a,b&priority=1', 'pushover', { token: 'SECRETpo', user: 'SECRETuser', devices: ['a', 'b'], priority: 1 }],
  ['rocketchat://rc.example.com/SECRETa/SECRETb', 'rocketchat', { tokenA: 'SECRETa', tokenB: 'SECRETb', channel: '' }],
  ['rocketchat://bob@rc.example.com:3000/SECRETa/SECRETb/general', 'rocketchat', { host: 'rc.example.com:3000', channel: '#general', username: 'bob' }],
  ['rocketchat://rc.example.com/SECRETa/SECRETb/@alice', 'rocketchat', { channel: '@alice' }],
  ['slack://hook:SECRETAAA1-SECRETBBB2-SECRETccccccccccccccccccc3@webhook?botname=hb&color=good', 'slack', { kind: 'webhook', token: 'SECRETAAA1/SECRETBBB2/SECRETccccccccccccccccccc3', botName: 'hb', color: 'good' }],
  ['slack://xoxb:123456789-987654321-SECRETccccccccccccccccccc3@C0123?title=x&thread_ts=1.2', 'slack', { kind: 'bot', token: 'xoxb-123456789-987654321-SECRETccccccccccccccccccc3', channel: 'C0123', threadTs: '1.2' }],
  ['slack://SECRETAAA1/SECRETBBB2/SECRETccccccccccccccccccc3', 'slack', { kind: 'webhook', token: 'SECRETAAA1/SECRETBBB2/SECRETccccccccccccccccccc3' }],
  ['teams://SECRETg@SECRETt/SECRETalt/SECRETown?host=org.webhook.office.com', 'teams', { group: 'SECRETg', tenant: 'SECRETt', altId: 'SECRETalt', groupOwner: 'SECRETown', extraId: '', host: 'org.webhook.office.com' }],
  ['teams://SECRETg@SECRETt/SECRETalt/SECRETown/SECRETx?host=org.webhook.office.com&color=ff0000', 'teams', { extraId: 'SECRETx', color: 'ff0000' }],
  ['teams+https://org.webhook.office.com/webhookb2/SECRETg@SECRETt/IncomingWebhook/SECRETalt/SECRETown/SECRETx?title=Hi', 'teams',
    { group: 'SECRETg', tenant: 'SECRETt', altId: 'SECRETalt', groupOwner: 'SECRETown', extraId: 'SECRETx', host: 'org.webhook.office.com', title: 'Hi' }],
  ['telegram://12345:SECRETtg@telegram?chats=@chan,-1001:7&preview=no&notification=no&parsemode=HTML', 'telegram', { token: '12345:SECRETtg', chats: ['@chan', '-1001:7'], preview: false, notification: false, parseMode: 'HTML' }],
  ['zulip://bot%40z.example.com:SECRETzulip@z.example.com/?stream=ops&topic=backups', 'zulip', { botMail: 'bot@z.example.com', botKey: 'SECRETzulip', stream: 'ops', topic: 'backups' }],
  ['generic://example.com/hook', 'generic', { target: 'https://example.com/hook', method: 'POST', contentType: 'application/json', template: '' }],
  ['generic://example.com:8080/hook?template=json&disabletls=yes&method=PUT&titlekey=t&messagekey=m&@acceptLanguage=tlh&$extra=1&foo=bar&__title=fwd&_x=1&__y=2', 'generic',
    { target: 'http://example.com:8080/hook?foo=bar&title=fwd&_x=1&__y=2', method: 'PUT', titleKey: 't', messageKey: 'm', headers: { 'Accept-Language': 'tlh' }, extras: { extra: '1' } }],
  ['generic+https://example.com/api?template=json&x=1', 'generic', { target: 'https://example.com/api?template=json&x=1', template: '' }],
  ['generic+http://example.com/api', 'generic', { target: 'http://example.com/api' }],
];

t.test('good URLs parse into the expected config', async (t) => {
  for (const [url, service, expected] of good) {
    const parsed = parseNotificationUrl(url);
    t.equal(parsed.service, service, `${url}: service`);
    t.match(parsed.config, expected, `${url}: config`);
    t.notMatch(parsed.redactedUrl, /SECRET/, `${url}: redacted URL hides secrets`);
  }
});

t.test('every service has at least one good URL in the table', async (t) => {
  const covered = new Set(good.map(([u]) => u.slice(0, u.indexOf(':'))));
  for (const scheme of SUPPORTED_SCHEMES) t.ok(covered.has(scheme), scheme);
});

const bad: Array<[string, RegExp]> = [
  ['', /the URL is empty/],
  ['not a url', /the scheme is missing/],
  ['foobar://x', /scheme "foobar" is not a known service/],
  ['bark://api.day.app/', /device key/],
  ['bark://:SECRETk@api.day.app/?volume=3', /query parameter "volume" is not known/],
  ['discord://123456789', /token/],
  ['discord://SECRETdisc@', /webhook id|not well-formed/],
  ['discord://SECRETdisc@123/json', /path must be empty or \/raw/],
  ['discord://SECRETdisc@123?color=blue', /"color" must be a hexadecimal colour/],
  ['gotify://gotify.example.com/ASECRETgotify01?extras={bad', /"extras" is not valid JSON/],
  ['gotify://gotify.example.com/ASECRETgotify01?extras=[1]', /"extras" must be a JSON object/],
  ['smtp://mail.example.com/?toaddresses=x@y.z', /"fromaddress" is missing/],
  ['smtp://mail.example.com/?fromaddress=a@b.c', /"toaddresses" is missing/],
  ['smtp://mail.example.com/?fromaddress=a@b.c&toaddresses=nope', /not an e-mail address/],
  ['smtp://mail.example.com/?fromaddress=a@b.c&toaddresses=x@y.z&auth=Kerberos', /"auth" must be one of/],
  ['smtp://mail.example.com/?fromaddress=a@b.c&toaddresses=x@y.z&encryption=SSL', /"encryption" must be one of/],
  ['smtp://mail.example.com/?fromaddress=a@b.c&toaddresses=x@y.z&usestarttls=maybe', /"usestarttls" must be yes or no/],
  ['smtp://mail.example.com/?fromaddress=a@b.c&toaddresses=x@y.z&timeout=soon', /"timeout" must be a duration/],
  ['gotify://gotify.example.com/', /token \(last path segment\) is missing/],
  ['gotify://gotify.example.com/SECRETshort', /is not a gotify application token/],
  ['gotify://gotify.example.com/ASECRETgotify01?priority=high', /"priority" must be an integer/],
  ['googlechat://chat.googleapis.com/v1/spaces/FOO/messages?token=SECRETt', /"key" is missing/],
  ['ifttt://SECRETk/', /"events" is missing/],
  ['ifttt://SECRETk/?events=a&messagevalue=2&titlevalue=2', /must differ/],
  ['join://join/?devices=a', /API key/],
  ['join://shoutrrr:SECRETj@join/', /"devices" is missing/],
  ['mattermost://mm.example.com/', /token/],
  ['mattermost://mm.example.com/SECRETt/ch/extra', /path must be/],
  ['matrix://alice@matrix.example.com/', /password or access token/],
  ['ntfy://ntfy.sh/', /topic/],
  ['ntfy://ntfy.sh/t?priority=6', /"priority"/],
  ['opsgenie://api.opsgenie.com/', /API key/],
  ['opsgenie://api.opsgenie.com/SECRETk?priority=P9', /"priority" must be P1 to P5/],
  ['opsgenie://api.opsgenie.com/SECRETk?responders=ops', /"responders"/],
  ['pushbullet://SECRETtooshort', /34 characters/],
  ['pushover://SECRETuser/', /API token/],
  ['rocketchat://rc.example.com/SECRETonly', /token/],
  ['slack://hook:SECRETAAA1-SECRETBBB2@webhook', /token is malformed/],
  ['slack://hook:SECRETAAA1-SECRETBBB2,SECRETccccccccccccccccccc3@webhook', /mixes separators/],
  ['slack://xoxb:123456789-987654321-SECRETccccccccccccccccccc3@', /channel|not well-formed/],
  ['slack://bearer:SECRETx@C01', /must be "hook"/],
  ['teams://SECRETg@SECRETt/SECRETalt', /path must be/],
  ['teams://SECRETg@SECRETt/a/b?host=bad host', /not well-formed|"host"/],
  ['teams+https://google.com/search?q=what+is+love', /path must be \/webhookb2\//],
  ['teams+https://org.webhook.office.com/webhookb2/SECRETg/IncomingWebhook/SECRETalt/SECRETown', /path must be/],
  ['telegram://SECRETtg@telegram?chats=1', /bot token/],
  ['telegram://12345:SECRETtg@telegram', /"chats" is missing/],
  ['telegram://12345:SECRETtg@telegram?chats=1&parsemode=RTF', /"parsemode"/],
  ['zulip://bot%40z.org:SECRETz@z.example.com/', /"stream" is missing/],
  ['zulip://z.example.com/?stream=a', /bot e-mail/],
  ['generic://example.com/?template=xml', /"template" must be json/],
  ['generic://example.com/?method=TRACE', /"method"/],
  ['generic:///nohost', /host/],
  ['telegram://12345:SECRETtg@telegram?chats=1&bad=%E0%A4%A', /./],
];

t.test('bad URLs throw AGENT_E_NOTIFY_URL naming the part, never the secret', async (t) => {
  for (const [url, reason] of bad) {
    try {
      parseNotificationUrl(url);
      t.fail(`${url}: should not parse`);
    } catch (err) {
      t.type(err, AgentError, url);
      t.equal((err as AgentError).code, 'AGENT_E_NOTIFY_URL', `${url}: code`);
      t.match((err as Error).message, reason, `${url}: says ${reason}`);
      t.notMatch((err as Error).message, /SECRET/, `${url}: message hides secrets`);
      t.notMatch(JSON.stringify((err as AgentError).toData()), /SECRET/, `${url}: data hides secrets`);
    }
    t.notMatch(redactNotificationUrl(url), /SECRET/, `${url}: redacted form hides secrets`);
  }
});

t.test('scheme and query keys are case-insensitive, as in shoutrrr', async (t) => {
  const p = parseNotificationUrl('Telegram://12345:SECRETtg@telegram?Chats=@c&Preview=No');
  t.equal(p.service, 'telegram');
  t.match(p.config, { chats: ['@c'], preview: false });
});
