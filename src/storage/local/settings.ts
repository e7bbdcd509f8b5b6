import { Type, type Static } from '@sinclair/typebox';

export const localSettings = Type.Object({
  directory: Type.String({ minLength: 1, pattern: '^/', description: 'Absolute directory snapshots are copied to; created when missing.' }),
}, {
  additionalProperties: false,
  description: 'A directory on this host, usually a mounted remote filesystem.',
  examples: [{ directory: '/mnt/backup/hostagent' }],
});

export type LocalSettings = Static<typeof localSettings>;
