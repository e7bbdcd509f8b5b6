export const name = 'restore';

// Restores a tenant asks for wait here for an admin; once approved, the job takes the same id.
export const sql = `
CREATE TABLE restore_requests (
  id           TEXT PRIMARY KEY,
  account      TEXT NOT NULL,
  snapshot_id  TEXT NOT NULL,
  params       TEXT NOT NULL DEFAULT '{}',
  actor        TEXT,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  reason       TEXT,
  created_at   INTEGER NOT NULL,
  decided_at   INTEGER
);
CREATE INDEX restore_requests_status ON restore_requests(status, created_at);
`;
