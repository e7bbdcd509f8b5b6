export { openState, SCHEMA_VERSION, type Db, type OpenedState } from './database.ts';
export { JobsRepo } from './jobs-repo.ts';
