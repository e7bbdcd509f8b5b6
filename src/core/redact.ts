// One place decides what counts as a secret, for logs, RPC results and error messages alike.

const SECRET_KEY = /pass(?!ive)(word|phrase)?|secret|token|api[-_]?key|access[-_]?key|account[-_]?key|private[-_]?key|credential|authorization|cookie|^session$|connection[-_]?string|^sig$|^auth$/i;
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@'"]*@)?([^\s'"]*)/gi;
export const REDACTED = '***';

// Results and logs repeat the same few keys endlessly; remembering the verdict keeps redaction
// off the RPC hot path. Bounded, since keys can come from callers.
const verdicts = new Map<string, boolean>();

export function isSecretKey(key: string): boolean {
  let secret = verdicts.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (verdicts.size >= 4096) verdicts.clear();
    verdicts.set(key, secret);
  }
  return secret;
}

/** Hides userinfo and secret-looking query values of every URL inside a text. */
export function redactText(text: string): string {
  if (!text.includes('://')) return text; // no URL, nothing to scrub
  return text.replace(URL_IN_TEXT, (_m, scheme: string, userinfo: string | undefined, rest: string) => {
    const q = rest.indexOf('?');
    let tail = rest;
    if (q >= 0) {
      const query = rest.slice(q + 1).replace(/([^&=#]+)=([^&#]*)/g, (pair, k: string) =>
        isSecretKey(decodeURIComponentSafe(k)) ? `${k}=${REDACTED}` : pair);
      tail = rest.slice(0, q + 1) + query;
    }
    return scheme + (userinfo ? `${REDACTED}@` : '') + tail;
  });
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/**
 * Whether redact() could change anything in `value`: a walk that copies nothing, so hot paths
 * (every RPC result) only pay for the copy when there is something to hide. Errors, cyclic objects
 * and any string holding a URL count as "could"; so does a shared object, seen a second time, which
 * keeps this walk linear rather than telling a share from a cycle.
 */
export function needsRedaction(value: unknown, seen: Set<object> = new Set()): boolean {
  if (typeof value === 'string') return value.includes('://');
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value) || value instanceof Error) return true;
  seen.add(value);
  if (Array.isArray(value)) return value.some((v) => needsRedaction(v, seen));
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (isSecretKey(k) && v !== null && v !== undefined && v !== '') return true;
    if (needsRedaction(v, seen)) return true;
  }
  return false;
}

/**
 * A deep copy with secret-named fields replaced and URLs in strings scrubbed. A cycle is cut where
 * it closes ("[cycle]"); an object that is merely shared (referenced twice, not its own ancestor)
 * is copied at each place, as JSON.stringify would write it at each place.
 */
export function redact<T>(value: T, ancestors: Set<object> = new Set()): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[cycle]' as T;
  ancestors.add(value);
  try {
    return redactObject(value, ancestors) as T;
  } finally {
    ancestors.delete(value);
  }
}

function redactObject(value: object, ancestors: Set<object>): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v, ancestors));
  if (value instanceof Error) {
    return { ...redact({ ...value }, ancestors), type: value.name, message: redactText(value.message) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redact(v, ancestors);
  }
  return out;
}
