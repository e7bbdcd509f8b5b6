// Numbered migrations, applied in order. Never edit one that has shipped: add the next number.
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-destinations-schedules.ts';
import * as m0003 from './0003-restore.ts';
import * as m0004 from './0004-backup-status.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, ...m0001 },
  { version: 2, ...m0002 },
  { version: 3, ...m0003 },
  { version: 4, ...m0004 },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
