export { Daemon, type DaemonOptions } from './daemon.ts';
export { main } from './main.ts';
