import type { Command } from '../command.ts';
import { statusCommand } from './status.ts';
import { methodsCommand } from './methods.ts';
import { callCommand } from './call.ts';

export const COMMANDS: readonly Command[] = [statusCommand, methodsCommand, callCommand];
