export const name = 'backup-status';

// The newest backup attempt and success per account and scope, and the newest stored copy per
// destination, kept by triggers so they always agree with jobs, snapshots and
// snapshot_locations, survive purges and retention, and cost one small read per metrics scrape
// (scanning the jobs table, which keeps every job, would not).
export const sql = `
CREATE TABLE backup_status (
  account          TEXT NOT NULL,
  scope            TEXT NOT NULL,
  last_attempt_at  INTEGER,
  last_success_at  INTEGER,
  PRIMARY KEY (account, scope)
) WITHOUT ROWID;

CREATE TABLE destination_status (
  destination      TEXT PRIMARY KEY,
  last_success_at  INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO backup_status (account, scope, last_attempt_at)
  SELECT account, COALESCE(json_extract(params, '$.scope'), 'full'), MAX(started_at) FROM jobs
  WHERE kind = 'backup' AND account IS NOT NULL AND started_at IS NOT NULL
  GROUP BY 1, 2;
INSERT INTO backup_status (account, scope, last_success_at)
  SELECT account, scope, MAX(created_at) FROM snapshots WHERE true GROUP BY 1, 2
  ON CONFLICT (account, scope) DO UPDATE SET last_success_at = excluded.last_success_at;
INSERT INTO destination_status (destination, last_success_at)
  SELECT destination, MAX(stored_at) FROM snapshot_locations GROUP BY 1;

-- A backup job is an attempt once it starts running.
CREATE TRIGGER backup_status_attempt AFTER UPDATE OF started_at ON jobs
WHEN NEW.kind = 'backup' AND NEW.account IS NOT NULL AND NEW.started_at IS NOT NULL
BEGIN
  INSERT INTO backup_status (account, scope, last_attempt_at)
    VALUES (NEW.account, COALESCE(json_extract(NEW.params, '$.scope'), 'full'), NEW.started_at)
    ON CONFLICT (account, scope) DO UPDATE SET last_attempt_at = MAX(COALESCE(last_attempt_at, 0), excluded.last_attempt_at);
END;

-- A snapshot row exists only once its archive is complete and every copy verified.
CREATE TRIGGER backup_status_success AFTER INSERT ON snapshots
BEGIN
  INSERT INTO backup_status (account, scope, last_success_at)
    VALUES (NEW.account, NEW.scope, NEW.created_at)
    ON CONFLICT (account, scope) DO UPDATE SET last_success_at = MAX(COALESCE(last_success_at, 0), excluded.last_success_at);
END;

CREATE TRIGGER destination_status_stored AFTER INSERT ON snapshot_locations
BEGIN
  INSERT INTO destination_status (destination, last_success_at) VALUES (NEW.destination, NEW.stored_at)
    ON CONFLICT (destination) DO UPDATE SET last_success_at = MAX(last_success_at, excluded.last_success_at);
END;

CREATE TRIGGER backup_status_account_gone AFTER DELETE ON accounts
BEGIN
  DELETE FROM backup_status WHERE account = OLD.name;
END;

CREATE TRIGGER destination_status_gone AFTER DELETE ON destinations
BEGIN
  DELETE FROM destination_status WHERE destination = OLD.name;
END;
`;
