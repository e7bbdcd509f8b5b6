import { Type, type Static } from '@sinclair/typebox';

export const webdavSettings = Type.Object({
  url: Type.String({ format: 'uri', pattern: '^https?://' }),
  path: Type.String({ default: '', description: 'Collection under the URL; created when missing.' }),
  username: Type.Optional(Type.String()),
  password: Type.Optional(Type.String({ writeOnly: true })),
  insecure: Type.Boolean({ default: false, description: 'Do not verify the server certificate.' }),
}, {
  additionalProperties: false,
  description: 'A WebDAV server (Nextcloud, Apache mod_dav, nginx).',
  examples: [{ url: 'https://cloud.example.com/remote.php/dav/files/backup', path: 'hostagent', username: 'backup', password: 'app-password-example' }],
});

export type WebdavSettings = Static<typeof webdavSettings>;
