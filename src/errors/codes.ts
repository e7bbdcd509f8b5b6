// The one table of stable application error codes. docs/errors.md mirrors it; a test keeps them equal.
// Codes are never renumbered or reused: panels switch on `data.code`.

export interface ErrorCodeInfo {
  /** JSON-RPC error code, in the application range 1000-1999. */
  readonly rpc: number;
  /** Whether the same call may succeed later without a change by the caller. */
  readonly retryable: boolean;
  /** One line for the docs. */
  readonly summary: string;
}

export const ERROR_CODES = {
  AGENT_E_INTERNAL: { rpc: 1000, retryable: false, summary: 'An unexpected fault inside the daemon; the log has details under the request id.' },
  AGENT_E_INVALID: { rpc: 1001, retryable: false, summary: 'A parameter is well-formed but not acceptable (for example a home directory that does not exist); `data.field` names it.' },
  AGENT_E_FORBIDDEN: { rpc: 1003, retryable: false, summary: 'The caller may not do this: an admin method on the panel socket, another account\'s object, or a package that disallows it.' },
  AGENT_E_NOT_FOUND: { rpc: 1004, retryable: false, summary: 'The named object (account, package, job, snapshot, destination, schedule) does not exist or is not visible to the caller.' },
  AGENT_E_CONFLICT: { rpc: 1005, retryable: false, summary: 'The object is in a state that does not allow the call (for example deleting a package still in use).' },
  AGENT_E_RATE_LIMITED: { rpc: 1006, retryable: true, summary: 'The account used its tenant snapshots for the 24-hour window; `data.retryAt` (ISO 8601) says when the next one is allowed.' },
  AGENT_E_TOO_LARGE: { rpc: 1007, retryable: false, summary: 'The account is larger than the package allows for on-demand snapshots; use a scheduled off-host backup.' },
  AGENT_E_NO_SPACE: { rpc: 1008, retryable: true, summary: 'Not enough free space in the spool for the estimated snapshot, or the disk filled up during the run.' },
  AGENT_E_INTERRUPTED: { rpc: 1009, retryable: true, summary: 'The job was running when the daemon stopped or crashed; its partial files were removed.' },
  AGENT_E_CANCELLED: { rpc: 1010, retryable: false, summary: 'The job was cancelled by a caller.' },
  AGENT_E_SHUTTING_DOWN: { rpc: 1011, retryable: true, summary: 'The daemon is stopping and accepts no new work.' },
  AGENT_E_CONFIG: { rpc: 1012, retryable: false, summary: 'The configuration is invalid; the message names the key path and the reason.' },
  AGENT_E_STATE_TOO_NEW: { rpc: 1013, retryable: false, summary: 'The state database was written by a newer hostagent; upgrade the agent instead of downgrading the data.' },
  AGENT_E_LINE_TOO_LONG: { rpc: 1014, retryable: false, summary: 'An RPC frame exceeded the configured line limit; the connection is closed after this answer.' },
  AGENT_E_BUSY: { rpc: 1015, retryable: true, summary: 'A limit on connections, queued jobs or in-flight requests was reached.' },
  AGENT_E_UNAVAILABLE: { rpc: 1016, retryable: true, summary: 'The daemon is not reachable (used by clients, never sent by the daemon).' },
  AGENT_E_BATCH_TOO_LONG: { rpc: 1017, retryable: false, summary: 'A JSON-RPC batch held more requests than `rpc.maxBatch`; none of them ran. `data.limit` is the limit.' },
  AGENT_E_ANSWER_TOO_LARGE: { rpc: 1018, retryable: false, summary: 'An answer (or a batch\'s answers together) exceeded `rpc.maxAnswerBytes`; it was replaced by this error. Ask for less, or the batch\'s requests one by one.' },
  AGENT_E_FRAME_TIMEOUT: { rpc: 1019, retryable: true, summary: 'A frame was begun and not finished with its newline within `rpc.frameTimeoutMs`; the connection is closed after this answer.' },
  AGENT_E_SOURCE_READ: { rpc: 1100, retryable: true, summary: 'A part of the account could not be read (home directory, mailbox or zone file).' },
  AGENT_E_DB_DUMP: { rpc: 1101, retryable: true, summary: 'A database dump failed; the message summarises the dump tool\'s stderr.' },
  AGENT_E_DB_UNAVAILABLE: { rpc: 1103, retryable: true, summary: 'A database server could not be reached (connection refused, no socket, unknown host); the message names the engine, the databases and the phase (size check before a backup, estimate, or dump).' },
  AGENT_E_ARCHIVE_CORRUPT: { rpc: 1102, retryable: false, summary: 'An archive is truncated, corrupted, or does not match its recorded checksums.' },
  AGENT_E_ARCHIVE_EXPANSION: { rpc: 1104, retryable: false, summary: 'An archive given to snapshot.import decompresses to more than `archive.maxExpansionRatio` times its size (a decompression bomb); it was refused while it was read.' },
  AGENT_E_DEST_AUTH: { rpc: 1200, retryable: false, summary: 'The destination refused the credentials.' },
  AGENT_E_DEST_UNREACHABLE: { rpc: 1201, retryable: true, summary: 'The destination could not be reached (DNS, connection refused, timeout, TLS).' },
  AGENT_E_DEST_PERMISSION: { rpc: 1202, retryable: false, summary: 'The destination accepted the credentials but refused the operation.' },
  AGENT_E_DEST_NOT_FOUND: { rpc: 1203, retryable: false, summary: 'The destination\'s bucket, container or path does not exist.' },
  AGENT_E_DEST_UNAVAILABLE: { rpc: 1204, retryable: true, summary: 'Transfers to the destination kept failing after every retry.' },
  AGENT_E_DEST_INTEGRITY: { rpc: 1205, retryable: true, summary: 'The uploaded object\'s size or checksum differs from what was sent.' },
  AGENT_E_DEST_HOST_KEY: { rpc: 1206, retryable: false, summary: 'The SFTP host key is unknown or does not match the pinned key.' },
  AGENT_E_NOTIFY_URL: { rpc: 1300, retryable: false, summary: 'A notification URL is malformed or uses an unknown service; the message says which part.' },
  AGENT_E_NOTIFY_SEND: { rpc: 1301, retryable: true, summary: 'A notification could not be delivered.' },
  AGENT_E_RESTORE_UNSAFE: { rpc: 1400, retryable: false, summary: 'A restore was refused because the archive tried to write outside its target, its SQL dump holds a client command (psql backslash command), or a target path lies where neither root nor the account decides (a symbolic link on the way, or a directory another user can write).' },
  AGENT_E_RESTORE_REJECTED: { rpc: 1401, retryable: false, summary: 'An admin rejected the restore request.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
