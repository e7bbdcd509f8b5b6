import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';
import { METHOD_BY_NAME } from '../protocol/index.ts';

/** parseArgs whose mistakes are usage errors (exit 2) rather than crashes. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function intArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number`);
  return Number(value);
}

/**
 * A flag whose values a method's params schema enumerates: a value outside them is a usage error
 * (exit 2) naming the choices, taken from the same descriptor the daemon validates with.
 */
export function choiceArg(value: string | undefined, method: string, param: string, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const props = (METHOD_BY_NAME.get(method)?.params as { properties?: Record<string, { enum?: unknown[] }> } | undefined)?.properties;
  const choices = props?.[param]?.enum;
  if (choices && !choices.includes(value)) throw new UsageError(`${flag} must be one of ${choices.join(', ')} (got ${value})`);
  return value;
}
