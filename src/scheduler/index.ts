export { Scheduler, type SchedulerDeps, type SchedulerSettings, type FireOutcome } from './scheduler.ts';
export { compileCron, nextFire, nextFires } from './cron-expression.ts';
export { expandTarget } from './target.ts';
