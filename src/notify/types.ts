// Shapes shared by the URL parser, the services, the transports and the dispatcher.

/** What a service delivers: a rendered title and body. */
export interface NotifyMessage {
  title: string;
  body: string;
  /** Lets services that colour messages (discord, slack, teams) mark failures. */
  level?: 'error' | 'info';
}

/** One outgoing request, as a service describes it and as a dry run reports it. */
export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpRequest extends OutgoingRequest {
  /** Statuses that count as delivered; default 200-299. */
  okStatus?: (status: number) => boolean;
  /** JSON a dry run pretends the server answered, so multi-step services (matrix) can go on. */
  dryRunResponse?: unknown;
  /** Skips certificate checks, only where the URL asks for it (gotify insecureskipverify, ntfy disabletlsverification). */
  insecureSkipVerify?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What a service may do while sending: HTTP requests or mail, both replaced by recorders in a dry run. */
export interface SendContext {
  readonly dryRun: boolean;
  http(request: HttpRequest): Promise<HttpResponse>;
  /** Records a non-HTTP request (SMTP) in a dry run. */
  plan(request: OutgoingRequest): void;
  /** Runs one non-HTTP delivery with the shared retry policy (every attempt is reported). */
  retrying<T>(what: string, fn: () => Promise<T>, isTransient: (err: unknown) => boolean): Promise<T>;
  /** Extra CA certificates (PEM) to trust for TLS, on top of the system store. */
  readonly ca?: string | Buffer | Array<string | Buffer>;
  readonly timeoutMs: number;
  /** Hides a secret learned while sending (a matrix access token) from errors and dry-run output. */
  addSecret(secret: string): void;
}

/** A notification service: a URL scheme, its parser, its secrets and its sender. */
export interface NotifyService<C = unknown> {
  readonly name: string;
  readonly schemes: readonly string[];
  /** Parses a URL already split by the registry; throws AGENT_E_NOTIFY_URL naming the bad part. */
  parse(url: URL, scheme: string): C;
  /** Values inside the URL (and derived requests) that must never be shown. */
  secrets(config: C): string[];
  send(config: C, message: NotifyMessage, ctx: SendContext): Promise<void>;
}

/** A URL that parsed: which service, its config, and the strings to hide. */
export interface NotificationTarget {
  service: string;
  config: unknown;
  secrets: string[];
  /** The URL with every secret part replaced by `***`. */
  redactedUrl: string;
}

/** One try to deliver to one URL, as handed to the daemon's `record` callback. */
export interface DeliveryAttempt {
  /** The notification URL with its secrets shown as `***`. */
  url: string;
  service: string;
  /** 1-based try number for one request. */
  attempt: number;
  ok: boolean;
  status?: number;
  error?: string;
  /** ISO 8601 time the try ended. */
  at: string;
  /** The job the notice was about, when there was one. */
  jobId?: string;
}

export interface RetryPolicy {
  /** Tries per request, including the first. */
  attempts: number;
  /** First backoff delay; doubles per try. */
  baseDelayMs: number;
  /** Longest Retry-After honoured; a server asking for more makes the try final. */
  maxDelayMs: number;
}
