import { OutcomeFailed, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { renderNestedRecord } from '../table.ts';
import { commandOf, type Subcommand } from '../subcommand.ts';
import { deleteSubcommand, keyedSubcommand, listSubcommand } from '../resource.ts';

/** KEY=VALUE settings; numbers and true/false become JSON values, KEY=@FILE reads a file (certificates, keys). */
async function settingsFrom(pairs: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`setting ${JSON.stringify(pair)} is not KEY=VALUE`);
    const key = pair.slice(0, eq);
    let value: unknown = pair.slice(eq + 1);
    const text = value as string;
    if (text.startsWith('@')) value = (await import('node:fs')).readFileSync(text.slice(1), 'utf8');
    else if (/^-?\d+(\.\d+)?$/.test(text)) value = Number(text);
    else if (text === 'true' || text === 'false') value = text === 'true';
    out[key] = value;
  }
  return out;
}

const put: Subcommand = {
  name: 'put',
  usage: 'NAME TYPE [KEY=VALUE ...]   (KEY=@FILE reads a file)',
  methods: ['destination.put'],
  async run(args, ctx) {
    const [name, type, ...pairs] = parseCommandArgs(args, {}).positionals;
    if (!name || !type) throw new UsageError('destination put takes NAME TYPE [KEY=VALUE ...]');
    const r = await (await ctx.client()).call<Record<string, unknown>>('destination.put', { name, type, ...(await settingsFrom(pairs)) });
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : renderNestedRecord(r));
  },
};

const test: Subcommand = {
  name: 'test',
  usage: 'NAME',
  methods: ['destination.test'],
  async run(args, ctx) {
    const [name, ...extra] = parseCommandArgs(args, {}).positionals;
    if (!name || extra.length) throw new UsageError('destination test takes NAME');
    const r = await (await ctx.client()).call<{ ok: boolean; latencyMs: number; code?: string; steps: { step: string; ok: boolean; ms: number; error?: { code: string; message: string } }[] }>('destination.test', { name });
    if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
    else {
      for (const st of r.steps) ctx.out(`${st.step.padEnd(6)} ${st.ok ? 'ok' : 'FAILED'} ${st.ms} ms${st.error ? ` ${st.error.code}: ${st.error.message}` : ''}`);
      ctx.out(r.ok ? `${name}: ok, ${r.latencyMs} ms` : `${name}: failed (${r.code})`);
    }
    if (!r.ok) throw new OutcomeFailed('');
  },
};

export const destinationCommand = commandOf({
  name: 'destination',
  summary: 'Configure, show, test and delete off-host destinations.',
  examples: [
    'agentctl destination put offsite s3 bucket=backups endpoint=https://s3.example accessKeyId=AKIA... secretAccessKey=@/root/s3.secret',
    'agentctl destination put nas local directory=/mnt/backups',
    'agentctl destination get offsite',
    'agentctl destination list',
    'agentctl destination test offsite',
    'agentctl destination delete offsite      # refused while a schedule uses it',
  ],
  subcommands: [
    put,
    keyedSubcommand('destination.get', 'NAME', (r) => renderNestedRecord(r)),
    listSubcommand('destination.list', {
      field: 'destinations', empty: 'no destinations',
      columns: [{ key: 'name', title: 'name' }, { key: 'type', title: 'type' }, { key: 'usedBy', title: 'schedules' }, { key: 'settings', title: 'settings' }],
      rows: (d) => ({ ...d, usedBy: (d.usedBy as string[]).join(','), settings: JSON.stringify(d.settings) }),
    }),
    test,
    deleteSubcommand('destination.delete', 'NAME'),
  ],
});
