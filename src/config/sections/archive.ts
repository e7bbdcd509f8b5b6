import { Type } from '@sinclair/typebox';

export const archiveSection = Type.Object({
  gzipLevel: Type.Integer({
    minimum: 1, maximum: 9, default: 4,
    description: 'Deflate level of compressible content in gzip archives (media is stored uncompressed whatever the level). 4 costs about a third of the CPU of 6 for archives about 1% larger; 6 matches `gzip -6`.',
  }),
  zstdLevel: Type.Integer({ minimum: 1, maximum: 19, default: 3, description: 'zstd level of compressible content in zstd archives.' }),
  maxExpansionRatio: Type.Number({
    minimum: 1, default: 200,
    description: 'snapshot.import refuses an archive (AGENT_E_ARCHIVE_EXPANSION) once its tar stream grows past this many times the archive\'s compressed size, or past 64 MiB if that is more: a decompression bomb is stopped while it is read. Archives of real accounts expand 1.5 to 10 times; only files of long runs of one byte come near gzip\'s limit of about 1000.',
  }),
}, { additionalProperties: false, default: {}, description: 'How snapshot archives are compressed, and how far an imported one may expand.' });
