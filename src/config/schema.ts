// The configuration schema, assembled from one file per section. etc/hostagent/agent.schema.json
// is generated from it (scripts/gen-config-schema.ts) and a test keeps the two equal.
import { Type, type Static } from '@sinclair/typebox';
import { pathsSection } from './sections/paths.ts';
import { rpcSection } from './sections/rpc.ts';
import { downloadSection } from './sections/download.ts';
import { logSection } from './sections/log.ts';
import { jobsSection } from './sections/jobs.ts';

export const configSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  paths: pathsSection,
  rpc: rpcSection,
  download: downloadSection,
  log: logSection,
  jobs: jobsSection,
}, {
  $id: 'https://hostagent.dev/schema/agent.json',
  title: 'hostagent configuration (/etc/hostagent/agent.json)',
  additionalProperties: false,
});

export type AgentConfig = Static<typeof configSchema>;
