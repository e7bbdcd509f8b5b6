import { Type, type Static } from '@sinclair/typebox';

export const sftpSettings = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 22 }),
  path: Type.String({ minLength: 1, default: '.', description: 'Remote directory; created when missing. Relative paths start at the login directory.' }),
  user: Type.String({ minLength: 1 }),
  password: Type.Optional(Type.String({ writeOnly: true })),
  identityFile: Type.Optional(Type.String({ minLength: 1, description: 'Path of a private key file (OpenSSH or PEM).' })),
  identityPassphrase: Type.Optional(Type.String({ writeOnly: true })),
  hostKey: Type.Optional(Type.String({ minLength: 1, description: 'The pinned host key: `SHA256:<base64>` fingerprint or a known_hosts line.' })),
  trustOnFirstUse: Type.Boolean({ default: false, description: 'Accept an unknown host key when no key is pinned.' }),
  timeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 20 }),
}, {
  additionalProperties: false,
  description: 'An SSH server, over SFTP.',
  examples: [{ host: 'backup.example.net', user: 'hostagent', path: 'backups/node1', identityFile: '/etc/hostagent/id_ed25519', hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' }],
});

export type SftpSettings = Static<typeof sftpSettings>;
