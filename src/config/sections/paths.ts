import { Type } from '@sinclair/typebox';

export const pathsSection = Type.Object({
  database: Type.String({ minLength: 1, default: '/var/lib/hostagent/agent.db', description: 'SQLite state database (WAL). Only the daemon writes it.' }),
  spool: Type.String({ minLength: 1, default: '/var/lib/hostagent/spool', description: 'Root-only directory for local snapshots, outside every tenant home and quota.' }),
}, { additionalProperties: false, default: {}, description: 'Where state lives on disk.' });
