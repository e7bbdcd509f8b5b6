import { Type } from '@sinclair/typebox';

export const schedulerSection = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'Whether schedules fire; schedule.run works either way.' }),
  missedRunGraceMinutes: Type.Integer({ minimum: 0, maximum: 7 * 24 * 60, default: 360, description: 'A run missed while the daemon was down fires once at start when it was due at most this long ago.' }),
  jitterSeconds: Type.Integer({ minimum: 0, maximum: 24 * 3600, default: 0, description: 'Default spread of the start of each account\'s run after a schedule fires (a schedule may set its own).' }),
  keepLocalCopy: Type.Boolean({ default: false, description: 'Keep a scheduled snapshot in the spool after it reached every destination. Off: the spool only holds it while uploading.' }),
  streamOnly: Type.Boolean({ default: false, description: 'Scheduled snapshots stream to their destinations without any copy in the spool (keepLocalCopy then has no effect). S3, Azure and Dropbox still retry each chunk; an object that fails on local, SFTP, WebDAV or FTP cannot be sent again and fails the run.' }),
  uploadAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'Attempts to send an object again from the spool copy after its streamed upload failed, before the job fails with AGENT_E_DEST_UNAVAILABLE.' }),
  uploadRetryBaseMs: Type.Integer({ minimum: 1, maximum: 600_000, default: 1000, description: 'First backoff between upload attempts; it doubles on each retry.' }),
}, { additionalProperties: false, default: {}, description: 'Schedules, uploads to destinations and retention.' });
