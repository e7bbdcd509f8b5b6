import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../core/schema.ts';

export const azureSettings = Type.Object({
  accountName: Type.Optional(Type.String({ minLength: 1 })),
  accountKey: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
  connectionString: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
  managedIdentity: Type.Optional(Type.Object({
    clientId: Type.Optional(Type.String({ minLength: 1 })),
    endpoint: Type.Optional(Type.String({ format: 'uri', description: 'Token endpoint (IMDS) override.' })),
  }, { additionalProperties: false })),
  container: Type.String({ minLength: 3, maxLength: 63 }),
  endpoint: Type.String({ minLength: 1, default: 'https://{account}.blob.core.windows.net', description: 'Blob service URL; `{account}` is replaced by the account name.' }),
  accessTier: Type.Optional(StringEnum(['Hot', 'Cool', 'Cold', 'Archive'])),
  path: Type.String({ default: '', pattern: '^(?!/)' }),
  blockSizeMB: Type.Integer({ minimum: 1, maximum: 4000, default: 8 }),
}, {
  additionalProperties: false,
  description: 'Azure Blob Storage: an account key, a connection string or a managed identity.',
  examples: [{ accountName: 'examplebackups', accountKey: 'ZXhhbXBsZS1hY2NvdW50LWtleQ==', container: 'hostagent', accessTier: 'Cool' }],
});

export type AzureSettings = Static<typeof azureSettings>;
