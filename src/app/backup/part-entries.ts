// The archive's non-file parts, in DESIGN.md order: databases/, mail/, dns/.
import type { ArchiveEntry, SourceWarning } from '../../core/archive-part.ts';
import type { AccountRow } from '../../core/model.ts';
import type { AgentConfig } from '../../config/index.ts';
import { AgentError } from '../../errors/index.ts';
import { dumpMariadb } from '../../sources/mariadb/index.ts';
import { dumpPostgresql } from '../../sources/postgresql/index.ts';
import { mailboxesEntries } from '../../sources/mail/index.ts';
import { dnsEntries } from '../../sources/dns/index.ts';
import type { ChildPriority } from '../../sources/common/index.ts';
import type { Part } from './backup-plan.ts';

export interface PartContext {
  account: AccountRow;
  parts: readonly Part[];
  config: AgentConfig;
  /** Private 0700 directory for dumps and spilled messages; removed by the caller. */
  workDir: string;
  priority: ChildPriority;
  signal: AbortSignal;
  warn(w: SourceWarning): void;
  phase(name: string): void;
}

export async function* partEntries(c: PartContext): AsyncGenerator<ArchiveEntry> {
  if (c.parts.includes('databases')) {
    for (const db of c.account.databases ?? []) {
      c.phase(`databases/${db.name}`);
      const common = { database: db.name, spoolDir: c.workDir, priority: c.priority, signal: c.signal };
      if (db.engine === 'mariadb') {
        if (!c.config.databases.mariadb.enabled) throw new AgentError('AGENT_E_DB_DUMP', `account ${c.account.name} lists MariaDB database ${db.name} but databases.mariadb is disabled`);
        yield await dumpMariadb({ ...common, config: c.config.databases.mariadb });
      } else {
        if (!c.config.databases.postgresql.enabled) throw new AgentError('AGENT_E_DB_DUMP', `account ${c.account.name} lists PostgreSQL database ${db.name} but databases.postgresql is disabled`);
        yield await dumpPostgresql({ ...common, config: c.config.databases.postgresql });
      }
    }
  }
  if (c.parts.includes('mail') && c.account.mailboxes?.length) {
    c.phase('mail');
    yield* mailboxesEntries(
      c.account.mailboxes.map((m) => ({ address: m.address, maildir: m.maildir, owner: m.owner ?? c.account.uid, passwordHash: m.passwordHash ?? null })),
      { spoolDir: c.workDir, priority: c.priority, signal: c.signal, onWarning: (w) => c.warn(w) },
    );
  }
  if (c.parts.includes('dns') && c.account.zones?.length) {
    c.phase('dns');
    yield* dnsEntries(c.account.zones, { as: { uid: c.account.uid, gid: c.account.gid }, priority: c.priority, signal: c.signal });
  }
}
