export { startChild, runChild, withPriority, type ChildPriority, type ChildSpec } from './run-child.ts';
export { hasProgram } from './has-program.ts';
export { createPrivateDir, privatePath, writePrivateFile, withPrivateFile } from './private-file.ts';
export { spoolFileEntry, bufferEntry } from './spool-entry.ts';
export { summarizeStderr } from './stderr-summary.ts';
export { assertDatabaseName } from './db-name.ts';
export { dumpToSpool, type DumpRun } from './dump-to-spool.ts';
export { nodeForUnprivilegedChildren } from './node-for-children.ts';
export { dbUnavailable, serverUnreachable, type DbEngine, type DbPhase, type DbQueryAbout } from './db-unreachable.ts';
