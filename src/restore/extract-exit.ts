// Exit statuses of the file extractor child (extract-child.ts), read by extract-files.ts.

/** The archive itself is damaged: the tar reader or the decompressor refused it. */
export const EXTRACT_CORRUPT_EXIT = 3;
