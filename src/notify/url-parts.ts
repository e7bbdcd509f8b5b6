// Helpers every service parser uses: decoded URL parts, shoutrrr-style query handling
// (case-insensitive keys, yes/no booleans, unknown keys refused) and errors that name the part.
import { AgentError } from '../errors/index.ts';

/** Throws AGENT_E_NOTIFY_URL; `part` names the wrong piece, never its (possibly secret) value. */
export function notifyUrlError(service: string, part: string, reason: string): never {
  throw new AgentError('AGENT_E_NOTIFY_URL', `${service} URL: ${part} ${reason}`, { data: { service, part } });
}

function decode(service: string, part: string, s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return notifyUrlError(service, part, 'has a malformed %-escape');
  }
}

export class UrlParts {
  readonly service: string;
  readonly url: URL;
  readonly #query = new Map<string, string>();
  readonly #used = new Set<string>();

  constructor(service: string, url: URL, options: { keepQueryCase?: boolean } = {}) {
    this.service = service;
    this.url = url;
    for (const [k, v] of url.searchParams) {
      this.#query.set(options.keepQueryCase ? k : k.toLowerCase(), v);
    }
  }

  fail(part: string, reason: string): never {
    return notifyUrlError(this.service, part, reason);
  }

  get user(): string {
    return decode(this.service, 'the user part', this.url.username);
  }

  get password(): string {
    return decode(this.service, 'the password part', this.url.password);
  }

  get hasPassword(): boolean {
    return this.url.password !== '';
  }

  /** Host with port, as written. */
  get host(): string {
    return this.url.host;
  }

  get hostname(): string {
    return decode(this.service, 'the host', this.url.hostname);
  }

  get port(): number | undefined {
    return this.url.port === '' ? undefined : Number(this.url.port);
  }

  /** Non-empty decoded path segments. */
  get segments(): string[] {
    return this.url.pathname.split('/').filter((s) => s !== '').map((s) => decode(this.service, 'the path', s));
  }

  /** Reads a query value by its case-insensitive key (any alias), marking it as understood. */
  q(...keys: string[]): string | undefined {
    for (const k of keys) {
      const key = k.toLowerCase();
      this.#used.add(key);
      if (this.#query.has(key)) return this.#query.get(key);
    }
    return undefined;
  }

  str(key: string, dflt: string, ...aliases: string[]): string {
    return this.q(key, ...aliases) ?? dflt;
  }

  bool(key: string, dflt: boolean, ...aliases: string[]): boolean {
    const v = this.q(key, ...aliases);
    if (v === undefined || v === '') return dflt;
    switch (v.toLowerCase()) {
      case 'yes': case 'true': case '1': case 'on': return true;
      case 'no': case 'false': case '0': case 'off': return false;
      default: return this.fail(`query parameter "${key}"`, 'must be yes or no');
    }
  }

  int(key: string, dflt: number, range: [number, number], ...aliases: string[]): number {
    const v = this.q(key, ...aliases);
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
      return this.fail(`query parameter "${key}"`, `must be an integer from ${range[0]} to ${range[1]}`);
    }
    return n;
  }

  /** Comma-separated list; empty entries dropped. */
  list(key: string, ...aliases: string[]): string[] {
    const v = this.q(key, ...aliases);
    return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  oneOf<const T extends string>(key: string, values: readonly T[], dflt: T): T {
    const v = this.q(key);
    if (v === undefined || v === '') return dflt;
    const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
    return hit ?? this.fail(`query parameter "${key}"`, `must be one of: ${values.join(', ')}`);
  }

  /** Query keys not read by the parser. */
  unread(): string[] {
    return [...this.#query.keys()].filter((k) => !this.#used.has(k.toLowerCase()));
  }

  /** Refuses query keys the service does not know, as shoutrrr does. */
  rejectUnknownQuery(): void {
    const extra = this.unread();
    if (extra.length) this.fail(`query parameter "${extra[0]}"`, 'is not known');
  }
}
