import type { RpcClient } from '../client/index.ts';

export interface CliContext {
  /** Connects on first use, so `--help` works without a daemon. */
  client(): Promise<RpcClient>;
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Shown by `agentctl help NAME` and `NAME --help`: complete command lines that work as written. */
  examples: readonly string[];
  /**
   * The methods this command calls. The client a command is given refuses any other, so this
   * table is what proves every method has a command; `any` is the generic `call` alone.
   */
  methods: readonly string[] | 'any';
  /** When set, the first argument must be one of them (or, with `positionalFirst`, an operand such as a snapshot id). */
  subcommands?: readonly string[];
  positionalFirst?: string;
  run(args: string[], ctx: CliContext): Promise<void>;
}

/** A usage mistake: agentctl prints the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The call went through but what it reports failed (a job that failed, a destination test that
 * did not pass): agentctl prints the message, if any, after what the command printed and exits 1.
 */
export class OutcomeFailed extends Error {
  override name = 'OutcomeFailed';
}
