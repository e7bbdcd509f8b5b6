import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../core/schema.ts';

export const s3Settings = Type.Object({
  bucket: Type.String({ minLength: 3, maxLength: 63 }),
  path: Type.String({ default: '', pattern: '^(?!/)', description: 'Key prefix inside the bucket, without a leading slash.' }),
  accessKeyId: Type.Optional(Type.String({ minLength: 1 })),
  secretAccessKey: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
  iamRoleEndpoint: Type.Optional(Type.String({ format: 'uri', description: 'Container credentials URL (ECS/EKS style) used instead of an access key.' })),
  endpoint: Type.Optional(Type.String({ minLength: 1, description: 'host[:port] of an S3-compatible service; AWS when absent.' })),
  protocol: StringEnum(['https', 'http'], { default: 'https' }),
  insecure: Type.Boolean({ default: false, description: 'https only: do not verify the server certificate.' }),
  caCert: Type.Optional(Type.String({ minLength: 1, description: 'A CA certificate: a file path or PEM text.' })),
  storageClass: Type.Optional(Type.String({ minLength: 1, description: 'e.g. STANDARD_IA, GLACIER_IR.' })),
  partSizeMB: Type.Integer({ minimum: 5, maximum: 5120, default: 16 }),
  region: Type.String({ minLength: 1, default: 'us-east-1' }),
  forcePathStyle: Type.Boolean({ default: false }),
}, {
  additionalProperties: false,
  description: 'Amazon S3 or an S3-compatible service (MinIO, Wasabi, Ceph RGW).',
  examples: [{ bucket: 'backups', path: 'node1', endpoint: 's3.eu-central-1.wasabisys.com', region: 'eu-central-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', storageClass: 'STANDARD_IA' }],
});

export type S3Settings = Static<typeof s3Settings>;
