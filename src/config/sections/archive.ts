import { Type } from '@sinclair/typebox';

export const archiveSection = Type.Object({
  gzipLevel: Type.Integer({
    minimum: 1, maximum: 9, default: 4,
    description: 'Deflate level of compressible content in gzip archives (media is stored uncompressed whatever the level). 4 costs about a third of the CPU of 6 for archives about 1% larger; 6 matches `gzip -6`.',
  }),
  zstdLevel: Type.Integer({ minimum: 1, maximum: 19, default: 3, description: 'zstd level of compressible content in zstd archives.' }),
}, { additionalProperties: false, default: {}, description: 'How snapshot archives are compressed.' });
