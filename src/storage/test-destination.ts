// destination.test: write, read back and delete a small probe object, timing each step.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Destination } from '../core/destination.ts';
import { AgentError, toAgentError } from '../errors/index.ts';

export interface ProbeStep {
  step: 'put' | 'get' | 'delete';
  ok: boolean;
  ms: number;
  error?: { code: string; message: string };
}

export interface ProbeResult {
  ok: boolean;
  /** Total time of the steps that ran. */
  latencyMs: number;
  steps: ProbeStep[];
  /** The first failure's code, for callers that want one. */
  code?: string;
}

export async function testDestination(dest: Destination): Promise<ProbeResult> {
  const payload = randomBytes(1024);
  const name = `.hostagent-probe-${randomBytes(8).toString('hex')}`;
  const steps: ProbeStep[] = [];
  const run = async (step: ProbeStep['step'], fn: () => Promise<void>): Promise<boolean> => {
    const started = performance.now();
    try {
      await fn();
      steps.push({ step, ok: true, ms: Math.round(performance.now() - started) });
      return true;
    } catch (err) {
      const e = toAgentError(err, 'AGENT_E_DEST_UNREACHABLE');
      steps.push({ step, ok: false, ms: Math.round(performance.now() - started), error: { code: e.code, message: e.message } });
      return false;
    }
  };

  let written = false;
  if (await run('put', async () => { await dest.put(name, Readable.from([payload]), { size: payload.length }); written = true; })) {
    await run('get', async () => {
      const chunks: Buffer[] = [];
      for await (const c of await dest.get(name)) chunks.push(c as Buffer);
      if (!Buffer.concat(chunks).equals(payload)) {
        throw new AgentError('AGENT_E_DEST_INTEGRITY', `${dest.type}: the probe object read back differs from what was written`, { data: { backend: dest.type } });
      }
    });
  }
  if (written) await run('delete', () => dest.delete(name));
  const failed = steps.find((s) => !s.ok);
  return {
    ok: !failed,
    latencyMs: steps.reduce((sum, s) => sum + s.ms, 0),
    steps,
    ...(failed ? { code: failed.error!.code } : {}),
  };
}
