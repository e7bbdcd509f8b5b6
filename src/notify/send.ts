// Delivering one message to one URL: real (HTTP through got, SMTP through nodemailer) or a dry
// run that records exactly what would be sent, secrets shown as `***`.
import os from 'node:os';
import { AgentError, toAgentError } from '../errors/index.ts';
import { createHttpTransport, withSystemRoots } from './http.ts';
import { parseNotificationUrl, type ParsedNotificationUrl } from './registry.ts';
import { DEFAULT_RETRY, sendError, withRetry, type TryReport } from './retry.ts';
import { redactRequest, scrubSecrets } from './secrets.ts';
import type { DeliveryAttempt, HttpResponse, NotifyMessage, OutgoingRequest, RetryPolicy, SendContext } from './types.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface SendOptions {
  policy?: Partial<RetryPolicy>;
  /** Per request; shoutrrr's 10 s by default. */
  timeoutMs?: number;
  /** Extra CA certificates (PEM) trusted besides the system store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Tests only: every HTTP request goes to this origin (path and query kept). Never read from a URL. */
  endpointOverride?: string;
  /** Called after every try of every request. */
  onAttempt?: (attempt: DeliveryAttempt) => void;
}

export interface DeliveryResult {
  ok: boolean;
  /** The last HTTP status seen, when there was one. */
  status?: number;
  error?: string;
  code?: string;
}

/** Sends one message; resolves with the outcome, never throws for delivery problems (bad URLs do throw). */
export async function deliver(target: string | ParsedNotificationUrl, message: NotifyMessage, options: SendOptions = {}): Promise<DeliveryResult> {
  const parsed = typeof target === 'string' ? parseNotificationUrl(target) : target;
  const secrets = [...parsed.secrets];
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.policy };
  let lastStatus: number | undefined;
  let lastOk: boolean | undefined;
  const report = (r: TryReport) => {
    if (r.status !== undefined) lastStatus = r.status;
    lastOk = r.ok;
    options.onAttempt?.({
      url: parsed.redactedUrl, service: parsed.service, attempt: r.attempt, ok: r.ok,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.error !== undefined ? { error: scrubSecrets(r.error, secrets) } : {}),
      at: new Date().toISOString(),
    });
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ca = withSystemRoots(options.ca);
  const ctx: SendContext = {
    dryRun: false,
    http: createHttpTransport({ policy, timeoutMs, ca, endpointOverride: options.endpointOverride, secrets, report }),
    plan: () => {},
    retrying: (what, fn, isTransient) => withRetry(policy, async () => ({ value: await fn() }), (err) =>
      err instanceof AgentError ? err : sendError(`${what}: ${scrubSecrets((err as Error)?.message ?? String(err), secrets)}`, { retryable: isTransient(err) }), report),
    ca,
    timeoutMs,
    addSecret: (s) => { if (s) secrets.push(s); },
  };
  try {
    await parsed.serviceImpl.send(parsed.config, message, ctx);
    return { ok: true, ...(lastStatus !== undefined ? { status: lastStatus } : {}) };
  } catch (err) {
    const e = toAgentError(err, 'AGENT_E_NOTIFY_SEND');
    const status = typeof e.data.status === 'number' ? e.data.status : undefined;
    // A refusal found after a successful HTTP exchange (bark's code, slack's ok:false) is recorded too.
    if (lastOk !== false) report({ attempt: 1, ok: false, ...(status !== undefined ? { status } : {}), error: e.message });
    return { ok: false, ...(status !== undefined ? { status } : {}), error: scrubSecrets(`${parsed.service}: ${e.message}`, secrets), code: e.code };
  }
}

/** Everything a send would do, as requests with secrets shown as `***`; nothing leaves the host. */
export async function dryRun(target: string | ParsedNotificationUrl, message: NotifyMessage): Promise<OutgoingRequest[]> {
  const parsed = typeof target === 'string' ? parseNotificationUrl(target) : target;
  const secrets = [...parsed.secrets];
  const planned: OutgoingRequest[] = [];
  const ctx: SendContext = {
    dryRun: true,
    async http(req): Promise<HttpResponse> {
      const { method, url, headers, body } = req;
      planned.push({ method, url, headers, ...(body !== undefined ? { body } : {}) });
      return { status: 200, headers: {}, body: req.dryRunResponse === undefined ? '' : JSON.stringify(req.dryRunResponse) };
    },
    plan: (req) => { planned.push(req); },
    retrying: async (_what, fn) => fn(),
    timeoutMs: DEFAULT_TIMEOUT_MS,
    addSecret: (s) => { if (s) secrets.push(s); },
  };
  try {
    await parsed.serviceImpl.send(parsed.config, message, ctx);
  } catch (err) {
    const e = toAgentError(err, 'AGENT_E_NOTIFY_SEND');
    throw new AgentError(e.code, scrubSecrets(e.message, secrets), { data: e.data });
  }
  return planned.map((r) => redactRequest(r, secrets));
}

export function testMessage(host = os.hostname()): NotifyMessage {
  return {
    title: `hostagent test notification from ${host}`,
    body: `This is a test notification sent by hostagent on ${host} at ${new Date().toISOString()}. If you can read it, this notification URL works.`,
    level: 'info',
  };
}

export type TestNotificationResult = { requests: OutgoingRequest[] } | DeliveryResult;

/**
 * `notify.test`: with dryRun, the requests that would be sent (secrets as `***`) and nothing sent;
 * otherwise a test message is sent and the outcome reported. A malformed URL throws AGENT_E_NOTIFY_URL.
 */
export async function testNotification(url: string, options: SendOptions & { dryRun?: boolean; host?: string } = {}): Promise<TestNotificationResult> {
  const parsed = parseNotificationUrl(url);
  const message = testMessage(options.host);
  if (options.dryRun) return { requests: await dryRun(parsed, message) };
  return deliver(parsed, message, options);
}
