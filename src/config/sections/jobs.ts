import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../core/schema.ts';

export const jobsSection = Type.Object({
  concurrency: Type.Integer({ minimum: 1, maximum: 64, default: 2, description: 'Jobs running at once on this host.' }),
  maxQueued: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000, description: 'Queued jobs accepted before new ones are refused with AGENT_E_BUSY.' }),
  nice: Type.Integer({ minimum: 0, maximum: 19, default: 10, description: 'nice level of child processes (dumps, file readers).' }),
  ioniceClass: StringEnum(['idle', 'best-effort', 'none'], { default: 'best-effort', description: 'ionice class of child processes.' }),
  shutdownGraceSeconds: Type.Integer({ minimum: 0, maximum: 86400, default: 30, description: 'How long SIGTERM waits for running jobs before marking them interrupted.' }),
}, { additionalProperties: false, default: {}, description: 'The job queue.' });
