export const name = 'initial';

export const sql = `
CREATE TABLE packages (
  name        TEXT PRIMARY KEY,
  settings    TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE accounts (
  name        TEXT PRIMARY KEY,
  uid         INTEGER NOT NULL,
  gid         INTEGER NOT NULL,
  home        TEXT NOT NULL,
  package     TEXT REFERENCES packages(name) ON UPDATE CASCADE ON DELETE RESTRICT,
  spec        TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE jobs (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL,
  account      TEXT,
  status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  trigger      TEXT NOT NULL DEFAULT 'admin',
  params       TEXT NOT NULL DEFAULT '{}',
  progress     TEXT NOT NULL DEFAULT '{}',
  result       TEXT,
  warnings     TEXT NOT NULL DEFAULT '[]',
  errcode      TEXT,
  errtext      TEXT,
  snapshot_id  TEXT,
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER
);
CREATE INDEX jobs_status ON jobs(status, created_at);
CREATE INDEX jobs_account ON jobs(account, created_at);

CREATE TABLE snapshots (
  id           TEXT PRIMARY KEY,
  account      TEXT NOT NULL,
  kind         TEXT NOT NULL DEFAULT 'account_full',
  scope        TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('complete', 'deleting')),
  trigger      TEXT NOT NULL,
  job_id       TEXT,
  note         TEXT,
  compression  TEXT NOT NULL,
  bytes        INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  files        INTEGER NOT NULL,
  parts        TEXT NOT NULL DEFAULT '[]',
  manifest     TEXT NOT NULL DEFAULT '{}',
  temporary    INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER
);
CREATE INDEX snapshots_account ON snapshots(account, created_at);

CREATE TABLE snapshot_locations (
  snapshot_id  TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  destination  TEXT NOT NULL,
  object       TEXT NOT NULL,
  bytes        INTEGER NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('stored', 'pending_deletion')),
  stored_at    INTEGER NOT NULL,
  PRIMARY KEY (snapshot_id, destination, object)
);

CREATE TABLE rate_ledger (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account      TEXT NOT NULL,
  actor        TEXT NOT NULL CHECK (actor IN ('tenant', 'admin')),
  job_id       TEXT,
  at           INTEGER NOT NULL
);
CREATE INDEX rate_ledger_account ON rate_ledger(account, actor, at);

CREATE TABLE download_links (
  token_hash   TEXT PRIMARY KEY,
  snapshot_id  TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  account      TEXT NOT NULL,
  session_hash TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX download_links_snapshot ON download_links(snapshot_id);

CREATE TABLE notifications (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  url          TEXT NOT NULL,
  service      TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  ok           INTEGER NOT NULL,
  status       INTEGER,
  error        TEXT,
  job_id       TEXT
);
CREATE INDEX notifications_at ON notifications(at);

CREATE TABLE events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  type         TEXT NOT NULL,
  account      TEXT,
  payload      TEXT NOT NULL,
  at           INTEGER NOT NULL
);
`;
