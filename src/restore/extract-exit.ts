// How the file extractor child (extract-child.ts) tells extract-files.ts why it failed.

/** The archive itself is damaged: the tar reader or the decompressor refused it. */
export const EXTRACT_CORRUPT = 'ECORRUPT';
