import type { Command } from '../command.ts';
import { statusCommand } from './status.ts';
import { methodsCommand } from './methods.ts';
import { callCommand } from './call.ts';
import { reloadCommand } from './reload.ts';
import { eventsCommand } from './events.ts';
import { accountCommand } from './account.ts';
import { packageCommand } from './package.ts';
import { backupCommand } from './backup.ts';
import { jobCommand } from './job.ts';
import { snapshotCommand } from './snapshot.ts';
import { downloadCommand } from './download.ts';
import { limitsCommand } from './limits.ts';
import { notifyCommand } from './notify.ts';
import { destinationCommand } from './destination.ts';
import { scheduleCommand } from './schedule.ts';
import { restoreCommand } from './restore.ts';

export const COMMANDS: readonly Command[] = [
  statusCommand, methodsCommand, callCommand, reloadCommand, eventsCommand, accountCommand, packageCommand, backupCommand, jobCommand,
  snapshotCommand, downloadCommand, limitsCommand, notifyCommand, destinationCommand, scheduleCommand, restoreCommand,
];
