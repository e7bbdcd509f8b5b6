// Size of a home and the git HEAD of its docroots, learned by a child acting as the account
// (account-child.ts, home-facts-child.ts). What it answers is checked like any untrusted input.
import { AgentError } from '../../errors/index.ts';
import { decideFor, startAccountChild, type ChildPriority } from '../common/index.ts';
import { siblingModule } from '../../core/sibling-module.ts';
import type { GitHead, HomeFactsRequest } from './home-facts-child.ts';

export interface HomeFacts {
  /** Regular files the archive would take (the account's excludes and the .ssh rule applied); hard-linked paths count each. */
  files: number;
  bytes: number;
  gitHeads: Record<string, GitHead>;
}

const TASK = siblingModule(import.meta.url, 'home-facts-child');
const TIMEOUT_MS = 60 * 60 * 1000;
const COMMIT = /^[0-9a-f]{40,64}$/;
const REF = /^refs\/[A-Za-z0-9._/-]+$/;

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const headOk = (h: unknown): h is GitHead => !!h && typeof h === 'object'
  && ((h as GitHead).ref === null || (typeof (h as GitHead).ref === 'string' && REF.test((h as GitHead).ref!)))
  && ((h as GitHead).commit === null || (typeof (h as GitHead).commit === 'string' && COMMIT.test((h as GitHead).commit!)));

export async function homeFacts(opts: { home: string; uid: number; gid: number; docroots: string[]; excludes?: string[]; priority?: ChildPriority; signal?: AbortSignal }): Promise<HomeFacts> {
  const fail = (why: string) => new AgentError('AGENT_E_SOURCE_READ', `cannot walk ${opts.home}: ${why}`);
  const as = { uid: opts.uid, gid: opts.gid };
  let request: HomeFactsRequest;
  try {
    const d = decideFor(opts.home, as);
    request = { anchor: d.anchor, rest: d.rest, docroots: opts.docroots, excludes: opts.excludes ?? [] };
  } catch (err) {
    throw fail((err as Error).message);
  }
  const child = startAccountChild({ module: TASK, request, as, priority: opts.priority, signal: opts.signal, timeoutMs: TIMEOUT_MS, maxOutputBytes: 1024 * 1024 });
  try {
    let facts: HomeFacts | null = null;
    for await (const f of child.frames()) {
      const heads = f.gitHeads as Record<string, unknown> | undefined;
      if (f.t !== 'facts' || facts || !count(f.files) || !count(f.bytes) || !heads || typeof heads !== 'object') throw fail('the walker sent an unexpected frame');
      const gitHeads: Record<string, GitHead> = {};
      // Only docroots we asked about, with well-formed refs and commits.
      for (const d of opts.docroots) if (Object.hasOwn(heads, d) && headOk(heads[d])) gitHeads[d] = { ref: (heads[d] as GitHead).ref, commit: (heads[d] as GitHead).commit };
      facts = { files: f.files, bytes: f.bytes, gitHeads };
    }
    if (!facts) throw fail('the walker sent nothing');
    return facts;
  } catch (err) {
    if (err instanceof AgentError) throw err;
    if (opts.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', `walking ${opts.home}: cancelled`);
    throw fail((err as Error).message);
  } finally {
    await child.close();
  }
}
