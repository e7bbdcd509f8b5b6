export { writeAccountArchive, WARNINGS_FILE, type WriteArchiveOptions, type WriteArchiveResult, type HomeSource, type ArchiveProgress } from './write-account-archive.ts';
export { verifyArchive, checkRecordedSha256, type VerifyResult } from './verify.ts';
export { archiveName, archiveExtension, compactUtc, type ArchiveNameParts } from './name.ts';
export { PartSink, partPath, PARTIAL_SUFFIX } from './part-sink.ts';
export type { ArchiveSink, SinkResult } from './archive-sink.ts';
export type { Compression } from './codec.ts';
export { localArchive, sniffCompression, compressionOf, type ArchiveSource } from './archive-source.ts';
