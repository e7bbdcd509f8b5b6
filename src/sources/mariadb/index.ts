export { dumpMariadb, type MariadbDumpOptions } from './dump.ts';
export { estimateMariadb, mariadbDatabaseExists, mariadbQuery } from './query.ts';
export { mariadbOptionFile } from './option-file.ts';
