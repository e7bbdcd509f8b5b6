import { Type } from '@sinclair/typebox';

export const restoreSection = Type.Object({
  safetySnapshot: Type.Boolean({ default: true, description: 'Take a full snapshot of the account before an in-place restore overwrites it, so the restore can be undone.' }),
}, { additionalProperties: false, default: {}, description: 'Restoring snapshots.' });
