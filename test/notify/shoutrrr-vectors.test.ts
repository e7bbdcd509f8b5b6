// hostagent against shoutrrr's own URL forms (shoutrrr-vectors.ts): each form parses to the same
// fields and sends the expected requests to a real local receiver, or is refused as shoutrrr refuses it.
import t, { type Test } from 'tap';
import { AgentError } from '../../src/errors/index.ts';
import { deliver, parseNotificationUrl, SERVICES } from '../../src/notify/index.ts';
import { startReceiver, type Received } from './receiver.ts';
import { MESSAGE, VECTORS, type ExpectedRequest, type ShoutrrrVector } from './shoutrrr-vectors.ts';

function parseBody<T>(t: Test, body: string, parse: (s: string) => T): T | undefined {
  try {
    return parse(body);
  } catch {
    t.fail(`body does not parse: ${body.slice(0, 200)}`);
    return undefined;
  }
}

function checkRequest(t: Test, got: Received, want: ExpectedRequest): void {
  t.equal(got.method, want.method ?? 'POST', 'method');
  t.equal(got.path, want.path, 'path and query');
  if (want.json !== undefined) t.same(parseBody(t, got.body, JSON.parse), want.json, 'JSON body');
  if (want.form !== undefined) t.same(parseBody(t, got.body, (s) => Object.fromEntries(new URLSearchParams(s))), want.form, 'form body');
  if (want.body !== undefined) t.equal(got.body, want.body, 'body');
  for (const [name, value] of Object.entries(want.headers ?? {})) t.equal(got.headers[name], value, `header ${name}`);
  for (const name of want.noHeaders ?? []) t.notOk(name in got.headers, `no header ${name}`);
}

async function checkVector(t: Test, service: string, v: ShoutrrrVector): Promise<void> {
  t.comment(v.source);
  if (v.refused) {
    try {
      parseNotificationUrl(v.url);
      t.fail('refused by shoutrrr, accepted here');
    } catch (err) {
      t.equal((err as AgentError).code, 'AGENT_E_NOTIFY_URL', 'refused as a bad notification URL');
      t.match((err as Error).message, v.refused, 'names the reason');
    }
    return;
  }
  const parsed = parseNotificationUrl(v.url);
  t.equal(parsed.service, service, 'service');
  const config = parsed.config as Record<string, unknown>;
  for (const [field, value] of Object.entries(v.config ?? {})) t.same(config[field], value, `config.${field}`);
  if (!v.requests) return;
  const rx = await startReceiver(t, () => (v.reply ? { status: v.reply.status, body: v.reply.body } : {}));
  const result = await deliver(parsed, MESSAGE, { endpointOverride: rx.origin, policy: { attempts: 1 } });
  t.equal(result.ok, true, `delivered ${result.error ?? ''}`);
  t.equal(rx.requests.length, v.requests.length, 'request count');
  v.requests.forEach((want, i) => {
    const got = rx.requests[i];
    if (got) checkRequest(t, got, want);
  });
}

t.test('every service has shoutrrr vectors, accepted and sent ones among them', async (t) => {
  for (const service of SERVICES) {
    const vectors = VECTORS[service.name] ?? [];
    t.ok(vectors.some((v) => !v.refused), `${service.name}: at least one accepted form`);
  }
  t.same(Object.keys(VECTORS).filter((name) => !SERVICES.some((s) => s.name === name)), [], 'no vectors for unknown services');
});

for (const [service, vectors] of Object.entries(VECTORS)) {
  t.test(service, async (t) => {
    for (const v of vectors) await t.test(v.url, (t) => checkVector(t, service, v));
  });
}
