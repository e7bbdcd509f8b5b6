export const name = 'destinations-schedules';

// Schedule specs are JSON (they grow options); the columns the scheduler queries on are real.
// schedule_destinations lets SQLite refuse deleting a destination a schedule still names.
// schedule_runs ties each fired run to its job and snapshot: the no-overlap check and
// per-schedule retention read it.
export const sql = `
CREATE TABLE destinations (
  name         TEXT PRIMARY KEY,
  type         TEXT NOT NULL,
  settings     TEXT NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE schedules (
  id           TEXT PRIMARY KEY,
  spec         TEXT NOT NULL,
  enabled      INTEGER NOT NULL DEFAULT 1,
  last_fire_at INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE schedule_destinations (
  schedule_id  TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  destination  TEXT NOT NULL REFERENCES destinations(name) ON DELETE RESTRICT,
  PRIMARY KEY (schedule_id, destination)
);
CREATE INDEX schedule_destinations_dest ON schedule_destinations(destination);

CREATE TABLE schedule_runs (
  job_id       TEXT PRIMARY KEY,
  schedule_id  TEXT NOT NULL,
  account      TEXT NOT NULL,
  snapshot_id  TEXT,
  fired_at     INTEGER NOT NULL
);
CREATE INDEX schedule_runs_by_account ON schedule_runs(schedule_id, account, fired_at);
CREATE INDEX schedule_runs_snapshot ON schedule_runs(snapshot_id);
`;
