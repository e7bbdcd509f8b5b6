import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../core/schema.ts';

export const ftpSettings = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: '21, or 990 for implicit TLS, when absent.' })),
  user: Type.String({ minLength: 1 }),
  password: Type.String({ writeOnly: true }),
  path: Type.String({ default: '', description: 'Remote directory; created when missing.' }),
  tls: StringEnum(['none', 'explicit', 'implicit'], { default: 'explicit' }),
  passive: Type.Boolean({ default: true, description: 'Only passive mode is supported; false is refused.' }),
  insecure: Type.Boolean({ default: false, description: 'Do not verify the server certificate.' }),
  timeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30 }),
}, {
  additionalProperties: false,
  description: 'An FTP server, plain or with TLS.',
  examples: [{ host: 'ftp.example.net', user: 'backup', password: 'ftp-password-example', path: 'hostagent', tls: 'explicit' }],
});

export type FtpSettings = Static<typeof ftpSettings>;
