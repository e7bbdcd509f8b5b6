export { dumpPostgresql, type PostgresqlDumpOptions } from './dump.ts';
export { estimatePostgresql, postgresqlDatabaseExists, postgresqlQuery } from './query.ts';
export { pgEnvironment, pgpassContent } from './environment.ts';
