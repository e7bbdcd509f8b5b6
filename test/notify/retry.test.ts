// Retries as the receiver sees them: 5xx with Retry-After waits as asked, 4xx is final,
// network errors are retried, and every try is recorded.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliver, type DeliveryAttempt } from '../../src/notify/index.ts';
import { startReceiver } from './receiver.ts';

const url = 'gotify://gotify.example.com/ASECRETgotify01';
const message = { title: 'T', body: 'B' };

t.test('503 with Retry-After: 1 is retried after about a second, then delivered', async (t) => {
  let n = 0;
  const rx = await startReceiver(t, () => (++n === 1 ? { status: 503, headers: { 'Retry-After': '1' }, body: 'busy' } : { status: 200 }));
  const attempts: DeliveryAttempt[] = [];
  const result = await deliver(url, message, { endpointOverride: rx.origin, policy: { attempts: 3, baseDelayMs: 10 }, onAttempt: (a) => attempts.push(a) });
  t.equal(result.ok, true);
  t.equal(rx.requests.length, 2);
  const gap = rx.requests[1].at - rx.requests[0].at;
  t.ok(gap >= 950, `second try waited for Retry-After (${gap} ms)`);
  t.match(attempts, [{ attempt: 1, ok: false, status: 503, service: 'gotify' }, { attempt: 2, ok: true, status: 200 }]);
  t.notMatch(JSON.stringify(attempts), /SECRET/);
});

t.test('a Retry-After beyond the cap ends the delivery instead of waiting', async (t) => {
  const rx = await startReceiver(t, () => ({ status: 503, headers: { 'Retry-After': '3600' } }));
  // With a cap of 10 minutes, waiting for it instead of ending would run into the file's timeout.
  const result = await deliver(url, message, { endpointOverride: rx.origin, policy: { attempts: 3, baseDelayMs: 10, maxDelayMs: 600_000 } });
  t.equal(result.ok, false);
  t.equal(rx.requests.length, 1, 'no second try');
});

t.test('4xx is not retried', async (t) => {
  const rx = await startReceiver(t, () => ({ status: 401, body: '{"error":"unauthorized"}' }));
  const attempts: DeliveryAttempt[] = [];
  const result = await deliver(url, message, { endpointOverride: rx.origin, policy: { attempts: 3, baseDelayMs: 10 }, onAttempt: (a) => attempts.push(a) });
  t.match(result, { ok: false, status: 401, code: 'AGENT_E_NOTIFY_SEND' });
  t.equal(rx.requests.length, 1);
  t.equal(attempts.length, 1);
});

t.test('5xx backs off exponentially and stops after the configured tries', async (t) => {
  const rx = await startReceiver(t, () => ({ status: 502 }));
  const result = await deliver(url, message, { endpointOverride: rx.origin, policy: { attempts: 3, baseDelayMs: 100 } });
  t.equal(result.ok, false);
  t.equal(rx.requests.length, 3);
  t.ok(rx.requests[1].at - rx.requests[0].at >= 90, 'first backoff');
  t.ok(rx.requests[2].at - rx.requests[1].at >= 190, 'second backoff doubled');
});

t.test('connection refused is retried and reported as a network error', async (t) => {
  // A port that was free a moment ago: nothing listens there now.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const attempts: DeliveryAttempt[] = [];
  const result = await deliver(url, message, { endpointOverride: `http://127.0.0.1:${port}`, policy: { attempts: 2, baseDelayMs: 10 }, onAttempt: (a) => attempts.push(a) });
  t.equal(result.ok, false);
  t.equal(attempts.length, 2);
  t.match(result.error, /ECONNREFUSED/);
  t.notMatch(result.error, /SECRET/);
});

t.test('a server slower than the timeout is a failed try', async (t) => {
  const rx = await startReceiver(t, () => ({ delayMs: 1500 }));
  const result = await deliver(url, message, { endpointOverride: rx.origin, timeoutMs: 300, policy: { attempts: 1 } });
  t.equal(result.ok, false);
  t.match(result.error, /timeout|timed out/i);
});

t.test('proxies come from the environment (HTTP_PROXY)', async (t) => {
  // A forward proxy that tags what it forwards; the target is a name that only the proxy resolves.
  const rx = await startReceiver(t);
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    const target = new URL(req.url ?? '');
    const up = http.request(`${rx.origin}${target.pathname}${target.search}`, { method: req.method, headers: { ...req.headers, 'x-via-proxy': '1' } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()); }));
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  delete process.env.NO_PROXY;
  t.teardown(() => { for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; } });
  const result = await deliver('gotify://gotify.invalid/ASECRETgotify01?disabletls=yes', message, { policy: { attempts: 1 } });
  t.equal(result.ok, true, result.error ?? '');
  t.equal(seen.length, 1);
  t.match(seen[0], /^http:\/\/gotify\.invalid\/message\?token=/);
  t.equal(rx.requests[0]?.headers['x-via-proxy'], '1');
});

t.test('a refusal inside a 200 answer (slack ok:false) fails the delivery and is recorded', async (t) => {
  const rx = await startReceiver(t, () => ({ status: 200, body: '{"ok":false,"error":"channel_not_found"}' }));
  const attempts: DeliveryAttempt[] = [];
  const result = await deliver('slack://xoxb:123456789-987654321-SECRETccccccccccccccccccc3@C0123', message, { endpointOverride: rx.origin, onAttempt: (a) => attempts.push(a) });
  t.match(result, { ok: false, status: 200, error: /channel_not_found/ });
  t.equal(rx.requests.length, 1, 'not retried');
  t.match(attempts, [{ ok: true, status: 200 }, { ok: false, error: /channel_not_found/ }]);
  t.notMatch(JSON.stringify({ result, attempts }), /SECRET/);
});
