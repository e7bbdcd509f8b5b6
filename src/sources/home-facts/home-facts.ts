import { AgentError } from '../../errors/index.ts';
import { runChild } from '../common/index.ts';
import { nodeForUnprivilegedChildren } from '../common/node-for-children.ts';
import { siblingModule } from '../../core/sibling-module.ts';

export interface HomeFacts {
  /** Regular files the archive would take (the account's excludes and the .ssh rule applied); hard-linked paths count each. */
  files: number;
  bytes: number;
  gitHeads: Record<string, { ref: string | null; commit: string | null }>;
}

const CHILD = siblingModule(import.meta.url, 'home-facts-child');

/** Size of a home and the git HEAD of its docroots, learned as the account's own user. */
export async function homeFacts(opts: { home: string; uid: number; gid: number; docroots: string[]; excludes?: string[]; signal?: AbortSignal }): Promise<HomeFacts> {
  const asRoot = process.getuid?.() === 0;
  const r = await runChild({
    command: nodeForUnprivilegedChildren(),
    args: [CHILD, JSON.stringify({ home: opts.home, docroots: opts.docroots, excludes: opts.excludes ?? [] })],
    ...(asRoot ? { uid: opts.uid, gid: opts.gid } : {}),
    signal: opts.signal,
  });
  if (r.code !== 0) throw new AgentError('AGENT_E_SOURCE_READ', `cannot walk ${opts.home}: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`);
  return JSON.parse(r.stdout.toString()) as HomeFacts;
}
