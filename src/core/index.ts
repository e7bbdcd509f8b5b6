export { type Clock, systemClock, ManualClock } from './clock.ts';
export { Fifo } from './fifo.ts';
export { redact, redactText, needsRedaction, isSecretKey, REDACTED } from './redact.ts';
export { StringEnum, Nullable, makeAjv, describeSchemaError, type FieldProblem } from './schema.ts';
export type { Destination, StoredObject, PutOptions, PutResult } from './destination.ts';
export type { ArchiveEntry, SourceWarning } from './archive-part.ts';
