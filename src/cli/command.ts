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
  run(args: string[], ctx: CliContext): Promise<void>;
}

/** A usage mistake: agentctl prints the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
