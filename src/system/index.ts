export { createLogger, type Logger } from './logger.ts';
export { installProcessGuards } from './process-guards.ts';
export { SystemdNotifier } from './sd-notify.ts';
export { freeBytes, usedBytes } from './disk.ts';
export { lookupUser, lookupGroup, isRoot, type UnixUser, type UnixGroup } from './accounts-db.ts';
export { VERSION } from './version.ts';
