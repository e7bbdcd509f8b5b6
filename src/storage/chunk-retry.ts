// A stream being produced cannot be sent twice, but a chunk of it held in memory can. Backends
// that upload in chunks (S3 parts, Azure blocks, Dropbox session appends) retry each chunk with
// this policy, so a dropped connection does not fail a long streamed upload. Whole-object
// retries stay with RetryingDestination.putFrom.
import type { RetryPolicy } from './wrappers/retry.ts';

export const CHUNK_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };
