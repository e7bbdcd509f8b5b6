// Every backend failure leaves the storage layer as an AgentError with one of the
// AGENT_E_DEST_* codes, the backend's own message (secrets scrubbed) and data.backend.
import { redactText, REDACTED } from '../core/redact.ts';
import { AgentError, type ErrorCode } from '../errors/index.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'EPROTO', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNCLOSED', 'TimeoutError', 'RequestTimeout',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'REQUEST_SEND_ERROR',
]);
const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'BlobNotFound', 'ContainerNotFound', 'ResourceNotFound', 'ENOENT', 'ENOTDIR']);
const AUTH_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AuthenticationFailed', 'InvalidAuthenticationInfo', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError', 'invalid_grant', 'invalid_client', 'expired_access_token', 'invalid_access_token']);
const PERMISSION_NAMES = new Set(['AccessDenied', 'AuthorizationPermissionMismatch', 'AuthorizationFailure', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'insufficient_space', 'no_write_permission']);

/** What a backend knows about a failure beyond the thrown value. */
export interface FailureContext {
  backend: string;
  /** The operation, e.g. `put backups/a.tar.gz`; goes into the message. */
  op: string;
  /** Literal secret values (passwords, keys) to scrub from the backend's message. */
  secrets?: readonly (string | undefined)[];
}

export function destError(err: unknown, ctx: FailureContext, forced?: ErrorCode): AgentError {
  if (err instanceof AgentError) return err;
  const code = forced ?? classify(err);
  const raw = describe(err);
  const message = `${ctx.backend}: ${ctx.op}: ${scrub(raw, ctx.secrets)}`;
  const status = statusOf(err);
  return new AgentError(code, message, {
    cause: err,
    data: { backend: ctx.backend, ...(status ? { status } : {}) },
  });
}

/** Replaces literal secret values and URL credentials in a text. */
export function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return redactText(out);
}

export function classify(err: unknown): ErrorCode {
  const e = (err ?? {}) as Record<string, unknown>;
  const names = [e.code, e.name, e.errno, (e as { Code?: unknown }).Code, dropboxTag(e)].filter((x): x is string => typeof x === 'string');
  // fetch-based clients wrap the socket error: `TypeError: fetch failed` with the errno in cause.
  for (let c = e.cause as Record<string, unknown> | undefined, depth = 0; c && typeof c === 'object' && depth < 4; c = c.cause as Record<string, unknown> | undefined, depth++) {
    if (typeof c.code === 'string') names.push(c.code);
  }
  const status = statusOf(err);
  const text = describe(err);
  if (names.some((n) => AUTH_NAMES.has(n))) return 'AGENT_E_DEST_AUTH';
  // Azure answers a bad key with 403 AuthorizationFailure "failed to authenticate".
  if (status === 403 && /authenticat|signature|credential|access key/i.test(text)) return 'AGENT_E_DEST_AUTH';
  if (names.some((n) => PERMISSION_NAMES.has(n))) return 'AGENT_E_DEST_PERMISSION';
  if (names.some((n) => NOT_FOUND_NAMES.has(n))) return 'AGENT_E_DEST_NOT_FOUND';
  if (names.includes('ENOSPC') || names.includes('EDQUOT')) return 'AGENT_E_NO_SPACE';
  if (names.some((n) => NETWORK_CODES.has(n) || n.startsWith('ERR_TLS') || n.startsWith('ERR_SSL') || n.startsWith('CERT_'))) return 'AGENT_E_DEST_UNREACHABLE';
  // ssh2 marks where a failure happened; SFTP status codes are numeric.
  if (e.level === 'client-authentication') return 'AGENT_E_DEST_AUTH';
  if (e.level === 'client-socket' || e.level === 'client-timeout' || e.level === 'protocol') return 'AGENT_E_DEST_UNREACHABLE';
  if (typeof e.code === 'number' && e.code < 100) {
    if (e.code === 2) return 'AGENT_E_DEST_NOT_FOUND';
    if (e.code === 3) return 'AGENT_E_DEST_PERMISSION';
    if (e.code === 6 || e.code === 7) return 'AGENT_E_DEST_UNREACHABLE';
  }
  if (status) {
    if (status === 401) return 'AGENT_E_DEST_AUTH';
    if (status === 403) return /signature|credential|access key|authenticat/i.test(text) ? 'AGENT_E_DEST_AUTH' : 'AGENT_E_DEST_PERMISSION';
    if (status === 404 || status === 409 && /not.?found|conflict/i.test(text)) return 'AGENT_E_DEST_NOT_FOUND';
    if (status === 507) return 'AGENT_E_NO_SPACE';
    if (status === 408 || status === 429 || status >= 500) return 'AGENT_E_DEST_UNREACHABLE';
  }
  // FTP replies carry a three-digit code.
  if (typeof e.code === 'number' && e.code >= 400 && e.code < 600) {
    if (e.code === 530 || e.code === 532) return 'AGENT_E_DEST_AUTH';
    if (e.code === 550) return /permission|denied|not allowed/i.test(text) ? 'AGENT_E_DEST_PERMISSION' : 'AGENT_E_DEST_NOT_FOUND';
    if (e.code === 553 || e.code === 552 && /permission/i.test(text)) return 'AGENT_E_DEST_PERMISSION';
    if (e.code === 452 || e.code === 552) return 'AGENT_E_NO_SPACE';
    return 'AGENT_E_DEST_UNREACHABLE';
  }
  if (/login incorrect|authentication fail|all configured authentication methods failed|unauthori[sz]ed/i.test(text)) return 'AGENT_E_DEST_AUTH';
  if (/permission denied|forbidden/i.test(text)) return 'AGENT_E_DEST_PERMISSION';
  if (/no such file|not found|does not exist/i.test(text)) return 'AGENT_E_DEST_NOT_FOUND';
  // Anything else is a transport fault as far as a caller can tell: the data did not arrive.
  return 'AGENT_E_DEST_UNREACHABLE';
}

function statusOf(err: unknown): number | undefined {
  const e = (err ?? {}) as Record<string, any>;
  const s = e.status ?? e.statusCode ?? e.$metadata?.httpStatusCode ?? e.response?.statusCode ?? e.response?.status;
  return typeof s === 'number' ? s : undefined;
}

function dropboxTag(e: Record<string, any>): string | undefined {
  const summary = e.dropboxSummary;
  return typeof summary === 'string' ? summary.split('/')[0] : undefined;
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(describe).join('; ');
  if (err instanceof Error) {
    const own = err.message || err.name || 'error';
    // "fetch failed" alone says nothing; the cause says what happened.
    return err.cause instanceof Error && own.length < 40 ? `${own}: ${describe(err.cause)}` : own;
  }
  return String(err);
}
