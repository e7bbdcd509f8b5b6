import { AbsolutePath } from '../../core/schema.ts';
import { Type } from '@sinclair/typebox';

export const pathsSection = Type.Object({
  database: AbsolutePath({ default: '/var/lib/hostagent/agent.db', description: 'SQLite state database (WAL). Only the daemon writes it.' }),
  spool: AbsolutePath({ default: '/var/lib/hostagent/spool', description: 'Root-only directory for local snapshots, outside every tenant home and quota.' }),
}, { additionalProperties: false, default: {}, description: 'Where state lives on disk.' });
