import { Type } from '@sinclair/typebox';

export const purgeSection = Type.Object({
  temporaryHours: Type.Number({ minimum: 0.01, maximum: 24 * 365, default: 24, description: 'Hours a tenant (on-demand) snapshot stays in the spool before it is purged.' }),
  sweepIntervalMinutes: Type.Number({ minimum: 1, maximum: 24 * 60, default: 60, description: 'How often the purge sweep runs (it also runs at start).' }),
}, { additionalProperties: false, default: {}, description: 'Purging temporary snapshots and orphaned spool files.' });
