import fs from 'node:fs';
import { UsageError, type Command } from '../command.ts';

export const callCommand: Command = {
  name: 'call',
  summary: 'Call any method with JSON params and print the JSON result.',
  usage: 'agentctl call METHOD [JSON | -]   (- reads the params from stdin)',
  examples: ['agentctl call agent.status', `agentctl call job.list '{"status":"failed","limit":5}'`, "echo '{}' | agentctl call package.list -"],
  methods: 'any',
  async run(args, ctx) {
    const [method, raw] = args;
    if (!method || args.length > 2) throw new UsageError('call takes a method and optional JSON params');
    let params: Record<string, unknown> | undefined;
    if (raw !== undefined) {
      const text = raw === '-' ? fs.readFileSync(0, 'utf8') : raw;
      try {
        params = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new UsageError(`params are not valid JSON: ${(err as Error).message}`);
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new UsageError('params must be a JSON object');
    }
    const result = await (await ctx.client()).call(method, params);
    ctx.out(JSON.stringify(result, null, 2));
  },
};
