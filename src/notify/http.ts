// HTTP delivery through got: a timeout per request, retries on network errors, 5xx and 429
// (honouring Retry-After), extra CAs added to the system store, and proxies taken from the
// environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) through Node's own proxy-aware agents.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { AgentError } from '../errors/index.ts';
import { parseRetryAfter, sendError, withRetry, type TryReport } from './retry.ts';
import { scrubSecrets } from './secrets.ts';
import type { HttpRequest, HttpResponse, RetryPolicy } from './types.ts';

export interface HttpTransportOptions {
  policy: RetryPolicy;
  timeoutMs: number;
  /** Complete CA list (see withSystemRoots), or undefined for the system default. */
  ca?: Array<string | Buffer>;
  /** Tests only: send every request to this origin instead (path and query kept). */
  endpointOverride?: string;
  secrets: readonly string[];
  report: (r: TryReport) => void;
}

/** Moves a URL onto another origin, keeping its path and query. */
export function overrideOrigin(url: string, override: string | undefined): string {
  if (!override) return url;
  const u = new URL(url);
  const o = new URL(override);
  const basePath = o.pathname.replace(/\/$/, '');
  return `${o.origin}${basePath}${u.pathname}${u.search}`;
}

/** The system's trusted roots plus extra ones: a bare `ca` option would replace the roots instead. */
export function withSystemRoots(extra: string | Buffer | Array<string | Buffer> | undefined): Array<string | Buffer> | undefined {
  if (extra === undefined) return undefined;
  return [...tls.getCACertificates('default'), ...(Array.isArray(extra) ? extra : [extra])];
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

export function createHttpTransport(opts: HttpTransportOptions): (req: HttpRequest) => Promise<HttpResponse> {
  const ca = opts.ca;
  // Agents read the proxy variables when made; one pair per sender keeps env changes visible.
  const agent = {
    http: new http.Agent({ proxyEnv: process.env }),
    https: new https.Agent({ proxyEnv: process.env, ...(ca ? { ca } : {}) }),
  };
  return async (req) => {
    // Credentials sent in headers (basic auth is base64) must not come back through an echoed body.
    const headerSecrets = Object.entries(req.headers).filter(([k]) => /^(authorization|access-token|x-gotify-key)$/i.test(k))
      .flatMap(([, v]) => [v, v.replace(/^\S+\s+/, '')]);
    const scrub = (s: string) => scrubSecrets(s, [...opts.secrets, ...headerSecrets]);
    const target = overrideOrigin(req.url, opts.endpointOverride);
    const where = `${req.method} ${scrub(new URL(target).origin + new URL(target).pathname)}`;
    const okStatus = req.okStatus ?? ((s: number) => s >= 200 && s < 300);
    return withRetry(opts.policy, async () => {
      // Loaded on first send: got and its dependencies cost ~13 MiB of RSS an idle daemon never needs.
      const { default: got } = await import('got');
      const res = await got(target, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
        timeout: { request: opts.timeoutMs },
        agent,
        https: { ...(ca ? { certificateAuthority: ca } : {}), ...(req.insecureSkipVerify ? { rejectUnauthorized: false } : {}) },
        responseType: 'text',
      });
      const response: HttpResponse = { status: res.statusCode, headers: res.headers, body: res.body };
      if (okStatus(res.statusCode)) return { value: response, status: res.statusCode };
      const transient = res.statusCode >= 500 || res.statusCode === 429;
      // Scrubbed before cutting, so a cut cannot leave half a secret behind.
      const clean = scrub(res.body.trim());
      const snippet = clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
      throw sendError(`${where}: HTTP ${res.statusCode}${snippet ? `: ${snippet}` : ''}`, {
        status: res.statusCode,
        retryable: transient,
        retryAfterMs: transient ? parseRetryAfter(res.headers['retry-after']) : undefined,
      });
    }, (err) => {
      if (err instanceof AgentError) return err;
      // got's RequestError carries the socket error code, like a plain Node error.
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      const transient = (code !== undefined && TRANSIENT_CODES.has(code)) || (err as Error)?.name === 'TimeoutError';
      const reason = (err as Error)?.message ?? String(err);
      return sendError(`${where}: ${scrub(reason)}`, { retryable: transient });
    }, opts.report);
  };
}
