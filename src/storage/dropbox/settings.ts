import { Type, type Static } from '@sinclair/typebox';

export const dropboxSettings = Type.Object({
  path: Type.String({ default: '', description: 'Folder inside the app folder or Dropbox, e.g. `/backups`.' }),
  appKey: Type.String({ minLength: 1 }),
  appSecret: Type.String({ minLength: 1, writeOnly: true }),
  refreshToken: Type.String({ minLength: 1, writeOnly: true }),
  concurrency: Type.Integer({ minimum: 1, maximum: 16, default: 2, description: 'Requests at once (list, delete, download).' }),
  chunkSizeMB: Type.Integer({ minimum: 1, maximum: 150, default: 8 }),
  apiUrl: Type.String({ format: 'uri', default: 'https://api.dropboxapi.com', description: 'Test doubles only.' }),
  contentUrl: Type.String({ format: 'uri', default: 'https://content.dropboxapi.com', description: 'Test doubles only.' }),
}, {
  additionalProperties: false,
  description: 'Dropbox, through its HTTP API with an OAuth2 refresh token.',
  examples: [{ path: '/hostagent', appKey: 'a1b2c3d4e5f6g7h', appSecret: 'app-secret-example', refreshToken: 'refresh-token-example' }],
});

export type DropboxSettings = Static<typeof dropboxSettings>;
