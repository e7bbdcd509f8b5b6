import { Type, type Static } from '@sinclair/typebox';

export const localSettings = Type.Object({
  directory: Type.String({ minLength: 1, pattern: '^/', description: 'Absolute directory snapshots are copied to. It must already exist: a typo or an unmounted disk is an error, never a new directory filling the root filesystem (see `create`).' }),
  create: Type.Boolean({ default: false, description: 'Create `directory` (mode 0700, with its parents) when it is missing instead of refusing.' }),
  requireMountpoint: Type.Boolean({ default: false, description: 'Refuse to write unless `directory` is itself a mount point, so copies never land on the parent filesystem when the disk is not mounted.' }),
}, {
  additionalProperties: false,
  description: 'A directory on this host, usually a mounted disk or remote filesystem.',
  examples: [{ directory: '/mnt/backup/hostagent', requireMountpoint: true }],
});

export type LocalSettings = Static<typeof localSettings>;
