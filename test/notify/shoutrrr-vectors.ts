// shoutrrr's own URL forms, copied from its service docs and Go tests, with the meaning each must
// have here: the parsed fields and, where the service speaks HTTP, the requests sent for `MESSAGE`.
// `refused` marks forms shoutrrr refuses too. Paths are in github.com/containrrr/shoutrrr (v0.8,
// "C") or in its maintained fork github.com/nicholas-fedor/shoutrrr ("F") for options added there.

export const MESSAGE = { title: 'Backup failed', body: 'line one\nline two', level: 'error' as const };

export interface ExpectedRequest {
  method?: string;
  /** Path and query as the receiver sees them. */
  path: string;
  /** The whole JSON body. */
  json?: unknown;
  /** The whole form body, as fields. */
  form?: Record<string, string>;
  /** The raw body; '' for none. */
  body?: string;
  /** Headers that must be present with these values (names in lower case). */
  headers?: Record<string, string>;
  /** Headers that must be absent. */
  noHeaders?: string[];
}

export interface ShoutrrrVector {
  source: string;
  url: string;
  /** Fields of the parsed config (a subset). */
  config?: Record<string, unknown>;
  /** Every request sent for MESSAGE, in order. */
  requests?: ExpectedRequest[];
  /** What the local receiver answers when the service needs a particular reply. */
  reply?: { status?: number; body: string };
  /** shoutrrr refuses this form too; the reason hostagent must give. */
  refused?: RegExp;
}

const C = (path: string) => `containrrr/shoutrrr ${path}`;
const F = (path: string) => `nicholas-fedor/shoutrrr ${path}`;

const DISCORD_TOKEN = 'W3dE2OZz4C13_4z_uHfDOoC7BqTW288s-z1ykqI0iJnY_HjRqMGO8Sc7YDqvf_KVKjhJ';
const RED = 0xd60510;
const discordEmbeds = (color = RED) => [{ title: 'Backup failed', description: 'line one', color }, { description: 'line two', color }];

const TEAMS_IDS = '11111111-4444-4444-8444-cccccccccccc@22222222-4444-4444-8444-cccccccccccc';
const TEAMS_PATH = `${TEAMS_IDS}/IncomingWebhook/33333333012222222222333333333344/44444444-4444-4444-8444-cccccccccccc`;
const TEAMS_BASE = `teams://${TEAMS_IDS}/33333333012222222222333333333344/44444444-4444-4444-8444-cccccccccccc`;
const teamsCard = (title: string, themeColor: string) => ({
  '@type': 'MessageCard', '@context': 'http://schema.org/extensions', markdown: true, title, themeColor,
  summary: title, sections: [{ text: 'line one' }, { text: 'line two' }],
});
const TEAMS_IDS_CONFIG = {
  group: '11111111-4444-4444-8444-cccccccccccc', tenant: '22222222-4444-4444-8444-cccccccccccc',
  altId: '33333333012222222222333333333344', groupOwner: '44444444-4444-4444-8444-cccccccccccc', extraId: '',
};

const TG_TOKEN = '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const telegramText = (title: string) => `<b>${title}</b>\nline one\nline two`;
const telegramPayload = (chat: string, extra: Record<string, unknown> = {}) => ({
  text: telegramText('Backup failed'), chat_id: chat, disable_web_page_preview: false, disable_notification: false, parse_mode: 'HTML', ...extra,
});

const MM_TEXT = 'Backup failed\nline one\nline two';
const ifttt = (values: [string, string, string]) => ({ value1: values[0], value2: values[1], value3: values[2] });
const b64 = (s: string) => Buffer.from(s).toString('base64');

export const VECTORS: Record<string, ShoutrrrVector[]> = {
  discord: [
    { source: C('pkg/services/discord/discord_test.go'), url: 'discord://dummyToken@dummyChannel',
      config: { webhookId: 'dummyChannel', token: 'dummyToken', raw: false, splitLines: true },
      requests: [{ path: '/api/webhooks/dummyChannel/dummyToken', json: { embeds: discordEmbeds() } }] },
    { source: C('pkg/services/discord/discord_test.go'), url: 'discord://dummyToken@dummyChannel/raw',
      config: { raw: true }, requests: [{ path: '/api/webhooks/dummyChannel/dummyToken', body: 'line one\nline two' }] },
    { source: C('pkg/services/discord/discord_test.go'), url: 'discord://dummyToken@dummyChannel/illegal-argument', refused: /the path/ },
    { source: C('pkg/services/discord/discord_test.go'), url: 'discord://', refused: /token|not well-formed/ },
    {
      source: C('pkg/services/discord/discord_test.go'),
      url: 'discord://token@channel?avatar=TestBot.jpg&color=0x112233&colordebug=0x223344&colorerror=0x334455&colorinfo=0x445566&colorwarn=0x556677&splitlines=No&title=Test+Title&username=TestBot',
      config: { webhookId: 'channel', token: 'token', avatar: 'TestBot.jpg', color: 0x112233, colorError: 0x334455, splitLines: false, title: 'Test Title', username: 'TestBot' },
      requests: [{ path: '/api/webhooks/channel/token', json: { embeds: [{ title: 'Test Title', description: 'line one\nline two', color: 0x334455 }], username: 'TestBot', avatar_url: 'TestBot.jpg' } }],
    },
    { source: C('docs/services/discord.md'), url: `discord://${DISCORD_TOKEN}@693853386302554172`,
      config: { webhookId: '693853386302554172', token: DISCORD_TOKEN },
      requests: [{ path: `/api/webhooks/693853386302554172/${DISCORD_TOKEN}`, json: { embeds: discordEmbeds() } }] },
    { source: F('docs/services/chat/discord/index.md'), url: `discord://${DISCORD_TOKEN}@693853386302554172?thread_id=123456789`,
      config: { threadId: '123456789' },
      requests: [{ path: `/api/webhooks/693853386302554172/${DISCORD_TOKEN}?thread_id=123456789`, json: { embeds: discordEmbeds() } }] },
    { source: F('docs/services/chat/discord/index.md'), url: 'discord://token@webhookid?splitLines=false',
      config: { webhookId: 'webhookid', splitLines: false },
      requests: [{ path: '/api/webhooks/webhookid/token', json: { embeds: [{ title: 'Backup failed', description: 'line one\nline two', color: RED }] } }] },
    { source: F('docs/services/chat/discord/index.md'), url: 'discord://token@webhookid?username=MyBot&avatar=https://example.com/avatar.png',
      config: { username: 'MyBot', avatar: 'https://example.com/avatar.png' },
      requests: [{ path: '/api/webhooks/webhookid/token', json: { embeds: discordEmbeds(), username: 'MyBot', avatar_url: 'https://example.com/avatar.png' } }] },
    { source: F('pkg/services/chat/discord/discord_config_test.go'), url: 'discord://token@channel?thread_id=%20%20123456789%20%20',
      config: { threadId: '123456789' }, requests: [{ path: '/api/webhooks/channel/token?thread_id=123456789', json: { embeds: discordEmbeds() } }] },
    { source: F('pkg/services/chat/discord/discord_config_test.go'), url: 'discord://token@webhook?invalid_key=value', refused: /"invalid_key" is not known/ },
    { source: F('pkg/services/chat/discord/discord_config_test.go'), url: 'discord://@webhook', refused: /token/ },
    { source: F('pkg/services/chat/discord/discord_config_test.go'), url: 'discord://token@webhook/invalid', refused: /the path/ },
    { source: F('testing/integration/discord/config_test.go'), url: 'discord://test-token@test-webhook?json=true',
      config: { webhookId: 'test-webhook', token: 'test-token', raw: true }, requests: [{ path: '/api/webhooks/test-webhook/test-token', body: 'line one\nline two' }] },
  ],

  ifttt: [
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=event1',
      config: { key: 'dummyID', events: ['event1'], messageValue: 2, titleValue: 0 },
      requests: [{ path: '/trigger/event1/with/key/dummyID', json: ifttt(['', 'line one\nline two', '']) }] },
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=dummyevent&value3=three&value2=two&value1=one',
      config: { values: ['one', 'two', 'three'] },
      requests: [{ path: '/trigger/dummyevent/with/key/dummyID', json: ifttt(['one', 'line one\nline two', 'three']) }] },
    // Written by shoutrrr's serializer for a config whose message goes nowhere (its sender's meaning of 0).
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=foo%2Cbar%2Cbaz&messagevalue=0',
      config: { events: ['foo', 'bar', 'baz'], messageValue: 0, titleValue: 0 },
      requests: ['foo', 'bar', 'baz'].map((e) => ({ path: `/trigger/${e}/with/key/dummyID`, json: ifttt(['', '', '']) })) },
    { source: F('pkg/services/push/ifttt/doc.go'), url: 'ifttt://my-webhook-key?events=alert&titlevalue=1&messagevalue=2',
      config: { key: 'my-webhook-key', titleValue: 1, messageValue: 2 },
      requests: [{ path: '/trigger/alert/with/key/my-webhook-key', json: ifttt(['Backup failed', 'line one\nline two', '']) }] },
    { source: F('pkg/services/push/ifttt/doc.go'), url: 'ifttt://my-webhook-key?events=email-alert,push-notification,sms-alert',
      requests: ['email-alert', 'push-notification', 'sms-alert'].map((e) => ({ path: `/trigger/${e}/with/key/my-webhook-key`, json: ifttt(['', 'line one\nline two', '']) })) },
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt://dummyID', refused: /"events" is missing/ },
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt:///?events=event1', refused: /webhook key/ },
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=event1&badquery=foo', refused: /"badquery" is not known/ },
    { source: C('pkg/services/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=event1&messagevalue=8', refused: /"messagevalue"/ },
    { source: F('pkg/services/push/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=event1&titlevalue=4', refused: /"titlevalue"/ },
    { source: F('pkg/services/push/ifttt/ifttt_test.go'), url: 'ifttt://dummyID/?events=event1&messagevalue=2&titlevalue=2', refused: /must differ/ },
  ],

  mattermost: [
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://mattermost.my-domain.com/thisshouldbeanapitoken',
      config: { host: 'mattermost.my-domain.com', token: 'thisshouldbeanapitoken', channel: '', username: '' },
      requests: [{ path: '/hooks/thisshouldbeanapitoken', json: { text: MM_TEXT } }] },
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://testUserName@mattermost.my-domain.com/thisshouldbeanapitoken/testChannel',
      config: { username: 'testUserName', channel: 'testChannel' },
      requests: [{ path: '/hooks/thisshouldbeanapitoken', json: { text: MM_TEXT, username: 'testUserName', channel: 'testChannel' } }] },
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://AAAAAAAAA/BBBBBBBBB?icon=test',
      config: { host: 'AAAAAAAAA', token: 'BBBBBBBBB', icon: 'test' },
      requests: [{ path: '/hooks/BBBBBBBBB', json: { text: MM_TEXT, icon_emoji: 'test' } }] },
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://user@mockserver/atoken?icon=https%3A%2F%2Fexample%2Fsomething.png',
      requests: [{ path: '/hooks/atoken', json: { text: MM_TEXT, username: 'user', icon_url: 'https://example/something.png' } }] },
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://user@mockserver/atoken/achannel?icon=something',
      requests: [{ path: '/hooks/atoken', json: { text: MM_TEXT, username: 'user', channel: 'achannel', icon_emoji: 'something' } }] },
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://bot@mattermost.host/token/channel',
      config: { host: 'mattermost.host', token: 'token', channel: 'channel', username: 'bot' } },
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://mattermost.my-domain.com', refused: /token/ },
    // The test hands this URL (under a matrix:// scheme) to the mattermost config parser.
    { source: C('pkg/services/mattermost/mattermost_test.go'), url: 'mattermost://user@mockserver/atoken?foo=bar', refused: /"foo" is not known/ },
    { source: C('docs/services/mattermost.md'), url: 'mattermost://shoutrrrUser@your-domain.com/bywsw8zt5jgpte3nm65qjiru6h/shoutrrrChannel',
      config: { host: 'your-domain.com', token: 'bywsw8zt5jgpte3nm65qjiru6h', channel: 'shoutrrrChannel', username: 'shoutrrrUser' } },
    { source: F('docs/services/chat/mattermost/index.md'), url: 'mattermost://your-domain.com/bywsw8zt5jgpte3nm65qjiru6h?icon=rocket',
      requests: [{ path: '/hooks/bywsw8zt5jgpte3nm65qjiru6h', json: { text: MM_TEXT, icon_emoji: 'rocket' } }] },
    { source: F('docs/services/chat/mattermost/index.md'), url: 'mattermost://your-domain.com/bywsw8zt5jgpte3nm65qjiru6h?icon=https://example.com/logo.png',
      requests: [{ path: '/hooks/bywsw8zt5jgpte3nm65qjiru6h', json: { text: MM_TEXT, icon_url: 'https://example.com/logo.png' } }] },
    { source: F('pkg/services/chat/mattermost/mattermost_test.go'), url: 'mattermost://watchtower@home.lan:8065/token/channel?disabletls=yes',
      config: { host: 'home.lan:8065', disableTls: true, username: 'watchtower', channel: 'channel' },
      requests: [{ path: '/hooks/token', json: { text: MM_TEXT, username: 'watchtower', channel: 'channel' } }] },
  ],

  telegram: [
    { source: C('pkg/services/telegram/telegram_test.go'), url: `telegram://${TG_TOKEN}@telegram?channels=@mychannel`,
      config: { token: TG_TOKEN, chats: ['@mychannel'], preview: true, notification: true, parseMode: 'None' },
      requests: [{ path: `/bot${TG_TOKEN}/sendMessage`, json: telegramPayload('@mychannel') }] },
    { source: C('pkg/services/telegram/telegram_test.go'), url: 'telegram://000000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@telegram/?chats=channel-id',
      config: { token: '000000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', chats: ['channel-id'] } },
    { source: C('pkg/services/telegram/telegram_test.go'), url: 'telegram://12345:mock-token@telegram/?chats=channel-1,channel-2,channel-3',
      requests: ['channel-1', 'channel-2', 'channel-3'].map((chat) => ({ path: '/bot12345:mock-token/sendMessage', json: telegramPayload(chat) })) },
    { source: C('pkg/services/telegram/telegram_internal_test.go'), url: 'telegram://12345:mock-token@telegram/?channels=channel-1:10&title=MessageTitle',
      config: { chats: ['channel-1:10'], title: 'MessageTitle' },
      requests: [{ path: '/bot12345:mock-token/sendMessage', json: { ...telegramPayload('channel-1', { message_thread_id: 10 }), text: telegramText('MessageTitle') } }] },
    { source: C('pkg/services/telegram/telegram_internal_test.go'), url: 'telegram://12345:mock-token@telegram/?channels=channel-1:invalid&title=MessageTitle',
      requests: [{ path: '/bot12345:mock-token/sendMessage', json: { ...telegramPayload('channel-1'), text: telegramText('MessageTitle') } }] },
    { source: C('pkg/services/telegram/telegram_internal_test.go'), url: 'telegram://12345:mock-token@telegram/?channels=channel-1&parsemode=Markdown',
      config: { parseMode: 'Markdown' },
      requests: [{ path: '/bot12345:mock-token/sendMessage', json: { text: 'line one\nline two', chat_id: 'channel-1', disable_web_page_preview: false, disable_notification: false, parse_mode: 'Markdown' } }] },
    { source: C('pkg/services/telegram/telegram_internal_test.go'), url: 'telegram://12345:mock-token@telegram/?channels=channel-1&parsemode=None', config: { parseMode: 'None' } },
    // The docs' optional-parameter example, with the tests' token in place of its placeholder.
    { source: C('docs/services/telegram.md'), url: 'telegram://12345:mock-token@telegram/?channels=channel&notification=no&preview=false&parseMode=html',
      config: { chats: ['channel'], notification: false, preview: false, parseMode: 'HTML' },
      requests: [{ path: '/bot12345:mock-token/sendMessage', json: { ...telegramPayload('channel'), disable_web_page_preview: true, disable_notification: true } }] },
    { source: C('pkg/services/telegram/telegram_test.go'), url: 'telegram://12345:mock-token@telegram/?chats=channel-1&foo=bar', refused: /"foo" is not known/ },
    { source: C('pkg/services/telegram/telegram_test.go'), url: 'telegram://12345:mock-token@telegram', refused: /"chats" is missing/ },
    { source: C('pkg/services/telegram/telegram_test.go'), url: 'telegram://invalid-token', refused: /bot token/ },
  ],

  teams: [
    { source: C('pkg/services/teams/teams_test.go'), url: `${TEAMS_BASE}?color=aabbcc&host=test.outlook.office.com&title=Test+title`,
      config: { ...TEAMS_IDS_CONFIG, host: 'test.outlook.office.com', title: 'Test title', color: 'aabbcc' },
      requests: [{ path: `/webhookb2/${TEAMS_PATH}`, json: teamsCard('Test title', 'aabbcc') }] },
    { source: C('pkg/services/teams/teams_test.go'), url: TEAMS_BASE,
      config: { ...TEAMS_IDS_CONFIG, host: 'outlook.office.com' }, requests: [{ path: `/webhook/${TEAMS_PATH}`, json: teamsCard('Backup failed', '') }] },
    { source: C('pkg/services/teams/teams_test.go'), url: `${TEAMS_BASE}?host=test.webhook.office.com`,
      config: { host: 'test.webhook.office.com' }, requests: [{ path: `/webhookb2/${TEAMS_PATH}`, json: teamsCard('Backup failed', '') }] },
    { source: C('pkg/services/teams/teams_test.go'), url: `teams+https://test.webhook.office.com/webhookb2/${TEAMS_PATH}`,
      config: { ...TEAMS_IDS_CONFIG, host: 'test.webhook.office.com' }, requests: [{ path: `/webhookb2/${TEAMS_PATH}`, json: teamsCard('Backup failed', '') }] },
    { source: C('pkg/services/teams/teams_test.go'), url: `teams+https://outlook.office.com/webhook/${TEAMS_PATH}?color=f008c1&title=TheTitle`,
      config: { ...TEAMS_IDS_CONFIG, host: 'outlook.office.com', color: 'f008c1', title: 'TheTitle' },
      requests: [{ path: `/webhook/${TEAMS_PATH}`, json: teamsCard('TheTitle', 'f008c1') }] },
    { source: C('pkg/router/router_suite_test.go'), url: `teams+https://publicservice.info/webhook/${TEAMS_PATH}`,
      config: { ...TEAMS_IDS_CONFIG, host: 'publicservice.info' }, requests: [{ path: `/webhookb2/${TEAMS_PATH}`, json: teamsCard('Backup failed', '') }] },
    { source: C('pkg/services/teams/teams_test.go'), url: 'teams+https://google.com/search?q=what+is+love', refused: /the path/ },
  ],

  generic: [
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://host.tld/webhook',
      config: { target: 'https://host.tld/webhook', method: 'POST' },
      requests: [{ method: 'POST', path: '/webhook', body: 'line one\nline two' }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://host.tld/webhook?method=GET',
      config: { method: 'GET' }, requests: [{ method: 'GET', path: '/webhook', body: '' }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://example.com/path?foo=bar',
      config: { target: 'https://example.com/path?foo=bar' }, requests: [{ path: '/path?foo=bar', body: 'line one\nline two' }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic+https://test.tld', config: { target: 'https://test.tld/' } },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic+http://example.com', config: { target: 'http://example.com/' } },
    // A shortcut URL keeps even reserved keys for the target...
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic+https://example.com/?template=passed',
      config: { target: 'https://example.com/?template=passed', template: '' }, requests: [{ path: '/?template=passed', body: 'line one\nline two' }] },
    // ...which shoutrrr writes as its service URL with the key escaped by "__".
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://example.com/?__template=passed',
      config: { target: 'https://example.com/?template=passed', template: '' }, requests: [{ path: '/?template=passed', body: 'line one\nline two' }] },
    // The test names a template loaded from Go code ("captured"); json is the one a URL can name.
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://example.com/?__template=passed&template=json',
      config: { target: 'https://example.com/?template=passed', template: 'json' },
      requests: [{ path: '/?template=passed', json: { title: 'Backup failed', message: 'line one\nline two' } }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://example.com/?@authorization=frend',
      config: { target: 'https://example.com/', headers: { Authorization: 'frend' } },
      requests: [{ path: '/', headers: { authorization: 'frend' } }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://example.com/?@userAgent=gozilla+1.0',
      config: { headers: { 'User-Agent': 'gozilla 1.0' } }, requests: [{ path: '/', headers: { 'user-agent': 'gozilla 1.0' } }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://example.com/?$context=inside+joke',
      config: { target: 'https://example.com/', extras: { context: 'inside joke' } } },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://host.tld/webhook?disabletls=yes&@authorization=frend&@userAgent=gozilla+1.0',
      config: { target: 'http://host.tld/webhook' },
      requests: [{ path: '/webhook', headers: { authorization: 'frend', 'user-agent': 'gozilla 1.0' } }] },
    { source: C('pkg/services/generic/generic_test.go'), url: 'generic://host.tld/webhook?disabletls=yes&template=json&$context=inside+joke',
      requests: [{ path: '/webhook', headers: { 'content-type': 'application/json' }, json: { title: 'Backup failed', message: 'line one\nline two', context: 'inside joke' } }] },
    // The round-trip test's URL, with json in place of its Go-loaded template "f".
    {
      source: C('pkg/services/generic/generic_test.go'),
      url: 'generic://user:pass@host.tld/api/v1/webhook?%24context=inside-joke&%40Authorization=frend&__title=w&contenttype=a%2Fb&template=json&title=t',
      config: { target: 'https://host.tld/api/v1/webhook?title=w', contentType: 'a/b', title: 't', headers: { Authorization: 'frend' }, extras: { context: 'inside-joke' } },
      requests: [{ path: '/api/v1/webhook?title=w', headers: { 'content-type': 'a/b', authorization: 'frend' }, json: { title: 't', message: 'line one\nline two', context: 'inside-joke' } }],
    },
    { source: C('docs/services/generic.md'), url: 'generic://example.com?@acceptLanguage=tlh-Piqd',
      requests: [{ path: '/', headers: { 'accept-language': 'tlh-Piqd' } }] },
    // The docs show this extra field "when using the JSON template", so the template is named here.
    { source: C('docs/services/generic.md'), url: 'generic://example.com?$projection=retroazimuthal&template=json',
      requests: [{ path: '/', json: { title: 'Backup failed', message: 'line one\nline two', projection: 'retroazimuthal' } }] },
    { source: F('docs/services/specialized/generic/index.md'), url: 'generic://webhook.example.com/alert?template=json&disabletls=yes&method=POST&titlekey=alert_title&messagekey=alert_message',
      config: { target: 'http://webhook.example.com/alert', titleKey: 'alert_title', messageKey: 'alert_message' },
      requests: [{ path: '/alert', json: { alert_title: 'Backup failed', alert_message: 'line one\nline two' } }] },
    { source: F('docs/services/specialized/generic/index.md'), url: 'generic://api.example.com/webhook?@Authorization=Bearer%20token123&@X-Custom=value',
      requests: [{ path: '/webhook', headers: { authorization: 'Bearer token123', 'x-custom': 'value' } }] },
  ],

  bark: [
    { source: C('pkg/services/bark/bark_test.go'), url: 'bark://:device-key@example.com:2225/?badge=5&category=CAT&group=GROUP&scheme=http&title=TITLE&url=URL',
      config: { host: 'example.com:2225', deviceKey: 'device-key', scheme: 'http', badge: 5, category: 'CAT', group: 'GROUP', title: 'TITLE', url: 'URL' },
      reply: { body: '{"code":200}' },
      requests: [{ path: '/push', json: { body: 'line one\nline two', device_key: 'device-key', title: 'TITLE', category: 'CAT', copy: '', sound: '', badge: 5, icon: '', group: 'GROUP', url: 'URL' } }] },
    { source: C('pkg/services/bark/bark_test.go'), url: 'bark://:devicekey@hostname', config: { host: 'hostname', deviceKey: 'devicekey', scheme: 'https' } },
    { source: C('pkg/services/bark/bark_test.go'), url: 'bark://:mock-device@host/?foo=bar', refused: /"foo" is not known/ },
  ],

  googlechat: [
    { source: C('pkg/services/googlechat/googlechat_test.go'), url: 'googlechat://chat.googleapis.com/v1/spaces/FOO/messages?key=bar&token=baz',
      config: { host: 'chat.googleapis.com', path: '/v1/spaces/FOO/messages', key: 'bar', token: 'baz' },
      requests: [{ path: '/v1/spaces/FOO/messages?key=bar&token=baz', json: { text: 'Backup failed\nline one\nline two' } }] },
  ],

  gotify: [
    { source: C('pkg/services/gotify/gotify_test.go'), url: 'gotify://my.gotify.tld/Aaa.bbb.ccc.ddd',
      config: { host: 'my.gotify.tld', path: '', token: 'Aaa.bbb.ccc.ddd' },
      requests: [{ path: '/message?token=Aaa.bbb.ccc.ddd', json: { message: 'line one\nline two', title: 'Backup failed', priority: 0 } }] },
    { source: C('pkg/services/gotify/gotify_test.go'), url: 'gotify://my.gotify.tld/Aaa.bbb.ccc.ddd?disabletls=Yes&priority=1&title=Test+title',
      config: { disableTls: true, priority: 1, title: 'Test title' },
      requests: [{ path: '/message?token=Aaa.bbb.ccc.ddd', json: { message: 'line one\nline two', title: 'Test title', priority: 1 } }] },
    { source: C('pkg/services/gotify/gotify_test.go'), url: 'gotify://my.gotify.tld/gotify/Aaa.bbb.ccc.ddd?title=Test+title',
      config: { path: '/gotify' }, requests: [{ path: '/gotify/message?token=Aaa.bbb.ccc.ddd', json: { message: 'line one\nline two', title: 'Test title', priority: 0 } }] },
    { source: C('pkg/services/gotify/gotify_test.go'), url: 'gotify://my.gotify.tld/path/to/gotify/Aaa.bbb.ccc.ddd/',
      config: { path: '/path/to/gotify', token: 'Aaa.bbb.ccc.ddd' } },
    { source: C('docs/services/gotify.md'), url: 'gotify://gotify.example.com:443/AzyoeNS.D4iJLVa/?title=Great+News&priority=1',
      config: { host: 'gotify.example.com:443', token: 'AzyoeNS.D4iJLVa', title: 'Great News', priority: 1 } },
    { source: C('pkg/services/gotify/gotify_test.go'), url: 'gotify://my.gotify.tld/', refused: /token/ },
  ],

  join: [
    { source: C('pkg/services/join/join_test.go'), url: 'join://Token:apikey@join?devices=dev1%2Cdev2&icon=warning&title=hey',
      config: { apiKey: 'apikey', devices: ['dev1', 'dev2'], icon: 'warning', title: 'hey' },
      requests: [{ path: '/_ah/api/messaging/v1/sendPush?deviceIds=dev1%2Cdev2&apikey=apikey&text=line+one%0Aline+two&title=hey&icon=warning', body: '' }] },
    { source: C('pkg/services/services_test.go'), url: 'join://:apikey@join/?devices=device', config: { apiKey: 'apikey', devices: ['device'] } },
  ],

  matrix: [
    { source: C('pkg/services/matrix/matrix_test.go'), url: 'matrix://user:pass@mockserver?rooms=%23room1%2C%23room2',
      config: { host: 'mockserver', user: 'user', password: 'pass', rooms: ['#room1', '#room2'] } },
    { source: C('pkg/services/matrix/matrix_test.go'), url: 'matrix://user:pass@mockserver?rooms=room1,room2', config: { rooms: ['#room1', '#room2'] } },
    { source: C('pkg/services/matrix/matrix_test.go'), url: 'matrix://user:pass@mockserver?room=room1', config: { rooms: ['#room1'] } },
    { source: C('pkg/services/matrix/matrix_test.go'), url: 'matrix://user:pass@mockserver?rooms=room1&title=Better%20Off%20Alone', config: { title: 'Better Off Alone' } },
    { source: C('pkg/services/matrix/matrix_test.go'), url: 'matrix://user:pass@mockserver?channels=room1,room2', refused: /"channels" is not known/ },
    { source: C('pkg/services/matrix/matrix_test.go'), url: 'matrix://user:pass@host/?foo=bar', refused: /"foo" is not known/ },
  ],

  ntfy: [
    { source: C('pkg/services/ntfy/ntfy_test.go'), url: 'ntfy://user:pass@example.com:2225/topic?cache=No&click=CLICK&firebase=No&icon=ICON&priority=Max&scheme=http&title=TITLE',
      config: { host: 'example.com:2225', topic: 'topic', scheme: 'http', priority: '5', cache: false, firebase: false, click: 'CLICK', icon: 'ICON', title: 'TITLE' },
      requests: [{ path: '/topic', body: 'line one\nline two', headers: { title: 'TITLE', priority: '5', click: 'CLICK', 'x-icon': 'ICON', cache: 'no', firebase: 'no', authorization: `Basic ${b64('user:pass')}` } }] },
    { source: C('pkg/services/ntfy/ntfy_test.go'), url: 'ntfy://hostname/topic', config: { host: 'hostname', topic: 'topic', scheme: 'https' },
      requests: [{ path: '/topic', body: 'line one\nline two', headers: { title: 'Backup failed' }, noHeaders: ['priority', 'authorization'] }] },
    { source: C('pkg/services/ntfy/ntfy_test.go'), url: 'ntfy://host/topic?foo=bar', refused: /"foo" is not known/ },
  ],

  opsgenie: [
    { source: C('pkg/services/opsgenie/opsgenie_test.go'), url: 'opsgenie://api.opsgenie.com/eb243592-faa2-4ba2-a551q-1afdf565c889',
      config: { host: 'api.opsgenie.com', port: 443, apiKey: 'eb243592-faa2-4ba2-a551q-1afdf565c889' },
      requests: [{ path: '/v2/alerts', headers: { authorization: 'GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889' }, json: { message: 'Backup failed', description: 'line one\nline two' } }] },
    { source: C('pkg/services/opsgenie/opsgenie_test.go'), url: 'opsgenie://api.opsgenie.com:12345/eb243592-faa2-4ba2-a551q-1afdf565c889', config: { port: 12345 } },
    {
      source: C('pkg/services/opsgenie/opsgenie_test.go'),
      url: 'opsgenie://api.opsgenie.com/eb243592-faa2-4ba2-a551q-1afdf565c889?actions=action1%2Caction2&alias=Life+is+too+short+for+no+alias&description=Every+alert+needs+a+description&details=key%3Avalue&entity=An+example+entity&note=Here+is+a+note&priority=P1&responders=user%3ATest%2Cteam%3ANOC%2Cteam%3A4513b7ea-3b91-438f-b7e4-e3e54af9147c&source=The+source&tags=tag1%2Ctag2&user=Dracula&visibleto=user%3AA+User',
      config: { fields: {
        alias: 'Life is too short for no alias', description: 'Every alert needs a description', entity: 'An example entity', source: 'The source',
        user: 'Dracula', note: 'Here is a note', priority: 'P1', actions: ['action1', 'action2'], tags: ['tag1', 'tag2'], details: { key: 'value' },
        responders: [{ type: 'user', username: 'Test' }, { type: 'team', name: 'NOC' }, { type: 'team', id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c' }],
        visibleTo: [{ type: 'user', username: 'A User' }],
      } },
    },
  ],

  pushbullet: [
    { source: C('pkg/services/pushbullet/pushbullet_test.go'), url: 'pushbullet://tokentokentokentokentokentokentoke',
      config: { token: 'tokentokentokentokentokentokentoke', targets: [] },
      requests: [{ path: '/v2/pushes', headers: { 'access-token': 'tokentokentokentokentokentokentoke' }, json: { type: 'note', title: 'Backup failed', body: 'line one\nline two' } }] },
    { source: C('pkg/services/pushbullet/pushbullet_test.go'), url: 'pushbullet://tokentokentokentokentokentokentoke/device?title=Great+News',
      requests: [{ path: '/v2/pushes', json: { type: 'note', title: 'Great News', body: 'line one\nline two', device_iden: 'device' } }] },
    { source: C('pkg/services/pushbullet/pushbullet_test.go'), url: 'pushbullet://tokentokentokentokentokentokentoke/foo#bar',
      config: { targets: ['foo', '#bar'] },
      requests: [
        { path: '/v2/pushes', json: { type: 'note', title: 'Backup failed', body: 'line one\nline two', device_iden: 'foo' } },
        { path: '/v2/pushes', json: { type: 'note', title: 'Backup failed', body: 'line one\nline two', channel_tag: 'bar' } },
      ] },
  ],

  pushover: [
    { source: C('pkg/services/pushover/pushover_test.go'), url: 'pushover://:apptoken@usertoken',
      config: { token: 'apptoken', user: 'usertoken', devices: [] },
      requests: [{ path: '/1/messages.json', form: { token: 'apptoken', user: 'usertoken', message: 'line one\nline two', title: 'Backup failed' } }] },
    { source: C('pkg/services/services_test.go'), url: 'pushover://:token@user/?devices=device',
      requests: [{ path: '/1/messages.json', form: { token: 'token', user: 'user', message: 'line one\nline two', title: 'Backup failed', device: 'device' } }] },
  ],

  rocketchat: [
    { source: C('pkg/services/rocketchat/rocketchat_test.go'), url: 'rocketchat://rocketchat.my-domain.com/tokenA/tokenB',
      config: { host: 'rocketchat.my-domain.com', tokenA: 'tokenA', tokenB: 'tokenB', channel: '', username: '' },
      requests: [{ path: '/hooks/tokenA/tokenB', json: { text: 'Backup failed\nline one\nline two' } }] },
    { source: C('pkg/services/rocketchat/rocketchat_test.go'), url: 'rocketchat://testUserName@rocketchat.my-domain.com/tokenA/tokenB/testChannel',
      requests: [{ path: '/hooks/tokenA/tokenB', json: { text: 'Backup failed\nline one\nline two', username: 'testUserName', channel: '#testChannel' } }] },
    { source: C('pkg/services/rocketchat/rocketchat_test.go'), url: 'rocketchat://testUserName@rocketchat.my-domain.com/tokenA/tokenB/@user', config: { channel: '@user' } },
    { source: C('pkg/services/rocketchat/rocketchat_test.go'), url: 'rocketchat://testUserName@rocketchat.my-domain.com:5055/tokenA/tokenB/#testChannel',
      config: { host: 'rocketchat.my-domain.com:5055', channel: '#testChannel' } },
    { source: C('docs/services/rocketchat.md'), url: 'rocketchat://shoutrrrUser@your-domain.com/8eGdRzc9r4YYNyvge/2XYQcX9NBwJBKfQnphpebPcnXZcPEi32Nt4NKJfrnbhsbRfX/@shoutrrrReceiver',
      config: { tokenA: '8eGdRzc9r4YYNyvge', tokenB: '2XYQcX9NBwJBKfQnphpebPcnXZcPEi32Nt4NKJfrnbhsbRfX', channel: '@shoutrrrReceiver', username: 'shoutrrrUser' } },
    { source: C('pkg/services/rocketchat/rocketchat_test.go'), url: 'rocketchat://rocketchat.my-domain.com', refused: /token/ },
  ],

  slack: [
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://hook:AAAAAAAAA-BBBBBBBBB-123456789123456789123456@webhook?botname=testbot&color=3f00fe&title=Test+title',
      config: { kind: 'webhook', token: 'AAAAAAAAA/BBBBBBBBB/123456789123456789123456', botName: 'testbot', color: '3f00fe', title: 'Test title' },
      reply: { body: 'ok' },
      requests: [{ path: '/services/AAAAAAAAA/BBBBBBBBB/123456789123456789123456', json: { text: 'Test title', attachments: [{ text: 'line one', color: '3f00fe' }, { text: 'line two', color: '3f00fe' }], username: 'testbot' } }] },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://testbot@AAAAAAAAA/BBBBBBBBB/123456789123456789123456?color=3f00fe&title=Test+title',
      config: { kind: 'webhook', token: 'AAAAAAAAA/BBBBBBBBB/123456789123456789123456', botName: 'testbot', color: '3f00fe', title: 'Test title' } },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://xoxb:123456789012-1234567890123-4mt0t4l1YL3g1T5L4cK70k3N@C0123456789',
      config: { kind: 'bot', token: 'xoxb-123456789012-1234567890123-4mt0t4l1YL3g1T5L4cK70k3N', channel: 'C0123456789' },
      reply: { body: '{"ok":true}' },
      requests: [{ path: '/api/chat.postMessage', headers: { authorization: 'Bearer xoxb-123456789012-1234567890123-4mt0t4l1YL3g1T5L4cK70k3N' },
        json: { text: 'Backup failed', attachments: [{ text: 'line one' }, { text: 'line two' }], channel: 'C0123456789' } }] },
    { source: C('docs/services/slack.md'), url: 'slack://hook:WNA3PBYV6-F20DUQND3RQ-Webc4MAvoacrpPakR8phF0zi@webhook?color=good&title=Great+News&icon=man-scientist&botname=Shoutrrrbot',
      reply: { body: 'ok' },
      requests: [{ path: '/services/WNA3PBYV6/F20DUQND3RQ/Webc4MAvoacrpPakR8phF0zi', json: { text: 'Great News', attachments: [{ text: 'line one', color: 'good' }, { text: 'line two', color: 'good' }], username: 'Shoutrrrbot', icon_emoji: 'man-scientist' } }] },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://hook:AAAAAAAAA-BBBBBBBBB-123456789123456789123456@webhook?bass=dirty', refused: /"bass" is not known/ },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://lol@12345678/123456789/123456789123456789123456', refused: /token is malformed/ },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://123456789/123456789/12345678912345678912345', refused: /token is malformed/ },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://lol@123456789/123456789/', refused: /token is malformed/ },
    { source: C('pkg/services/slack/slack_test.go'), url: 'slack://AAAAAAAA', refused: /token is malformed/ },
  ],

  smtp: [
    {
      source: C('pkg/services/smtp/smtp_test.go'),
      url: 'smtp://user:password@example.com:2225/?auth=None&clienthost=testhost&encryption=ExplicitTLS&fromaddress=sender%40example.com&fromname=Sender&subject=Subject&toaddresses=rec1%40example.com%2Crec2%40example.com&usehtml=Yes&usestarttls=No',
      config: { host: 'example.com', port: 2225, user: 'user', password: 'password', from: 'sender@example.com', fromName: 'Sender', to: ['rec1@example.com', 'rec2@example.com'],
        subject: 'Subject', auth: 'None', encryption: 'ExplicitTLS', useStartTls: false, useHtml: true, clientHost: 'testhost' },
    },
    { source: C('pkg/services/smtp/smtp_test.go'), url: 'smtp://example.com:2225/?useStartTLS=no&auth=crammd5&fromAddress=sender@example.com&toAddresses=rec1@example.com&useHTML=no',
      config: { auth: 'CRAMMD5', useStartTls: false, useHtml: false, from: 'sender@example.com', to: ['rec1@example.com'] } },
    { source: C('pkg/services/smtp/smtp_test.go'), url: 'smtp://user:password@example.com:2225/?useStartTLS=no&fromAddress=sender+tag@example.com&toAddresses=rec1+tag@example.com,rec2@example.com&useHTML=yes',
      config: { from: 'sender+tag@example.com', to: ['rec1+tag@example.com', 'rec2@example.com'] } },
    { source: C('pkg/services/services_test.go'), url: 'smtp://host.tld:25/?fromAddress=from@host.tld&toAddresses=to@host.tld', config: { host: 'host.tld', port: 25, useStartTls: true } },
    { source: C('pkg/services/smtp/smtp_test.go'), url: 'smtp://example.com:2225/?useStartTLS=no&auth=bad&fromAddress=sender@example.com&toAddresses=rec1@example.com&useHTML=no', refused: /"auth"/ },
    { source: C('pkg/services/smtp/smtp_test.go'), url: 'smtp://example.com/?fromAddress=s@example.com&toAddresses=r@example.com&foo=bar', refused: /"foo" is not known/ },
  ],

  zulip: [
    { source: C('pkg/services/zulip/zulip_test.go'), url: 'zulip://bot-name%40zulipchat.com:correcthorsebatterystable@example.zulipchat.com?stream=foo&topic=bar',
      config: { host: 'example.zulipchat.com', botMail: 'bot-name@zulipchat.com', botKey: 'correcthorsebatterystable', stream: 'foo', topic: 'bar' },
      requests: [{ path: '/api/v1/messages', headers: { authorization: `Basic ${b64('bot-name@zulipchat.com:correcthorsebatterystable')}` },
        form: { type: 'stream', to: 'foo', topic: 'bar', content: 'line one\nline two' } }] },
    { source: C('pkg/services/zulip/zulip_test.go'), url: 'zulip://bot-name%40zulipchat.com:correcthorsebatterystable@example.zulipchat.com?stream=foo', config: { stream: 'foo' } },
    { source: C('pkg/services/services_test.go'), url: 'zulip://mail:key@example.com/?stream=foo&topic=bar', config: { botMail: 'mail', botKey: 'key', host: 'example.com' } },
    { source: C('pkg/services/zulip/zulip_test.go'), url: 'zulip://bot-name%40zulipchat.com:correcthorsebatterystable@?stream=foo&topic=bar', refused: /host|not well-formed/ },
    { source: C('pkg/services/zulip/zulip_test.go'), url: 'zulip://bot-name%40zulipchat.com@example.zulipchat.com?stream=foo&topic=bar', refused: /bot key/ },
    { source: C('pkg/services/zulip/zulip_test.go'), url: 'zulip://example.zulipchat.com?stream=foo&topic=bar', refused: /bot e-mail/ },
  ],
};
