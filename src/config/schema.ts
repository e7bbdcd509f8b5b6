// The configuration schema, assembled from one file per section. etc/hostagent/agent.schema.json
// is generated from it (scripts/gen-config-files.ts) and a test keeps the two equal.
import { Type, type Static } from '@sinclair/typebox';
import { pathsSection } from './sections/paths.ts';
import { rpcSection } from './sections/rpc.ts';
import { downloadSection } from './sections/download.ts';
import { logSection } from './sections/log.ts';
import { jobsSection } from './sections/jobs.ts';
import { notificationsSection } from './sections/notifications.ts';
import { databasesSection } from './sections/databases.ts';
import { purgeSection } from './sections/purge.ts';
import { schedulerSection } from './sections/scheduler.ts';
import { restoreSection } from './sections/restore.ts';
import { archiveSection } from './sections/archive.ts';
import { metricsSection } from './sections/metrics.ts';

export const configSchema = Type.Object({
  $schema: Type.Optional(Type.String({ description: 'Location of agent.schema.json, for editors; the daemon ignores it.' })),
  paths: pathsSection,
  rpc: rpcSection,
  download: downloadSection,
  log: logSection,
  jobs: jobsSection,
  archive: archiveSection,
  notifications: notificationsSection,
  databases: databasesSection,
  purge: purgeSection,
  scheduler: schedulerSection,
  restore: restoreSection,
  metrics: metricsSection,
}, {
  $id: 'https://hostagent.dev/schema/agent.json',
  title: 'hostagent configuration (/etc/hostagent/agent.json)',
  additionalProperties: false,
});

export type AgentConfig = Static<typeof configSchema>;
