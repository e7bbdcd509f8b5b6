import { OutcomeFailed, UsageError, type Command } from '../command.ts';
import { renderTable } from '../table.ts';

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

export const destinationCommand: Command = {
  name: 'destination',
  summary: 'Configure and test off-host destinations.',
  usage: 'agentctl destination put NAME TYPE [KEY=VALUE ...]   (KEY=@FILE reads a file)\nagentctl destination list\nagentctl destination test NAME',
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const client = await ctx.client();
    if (sub === 'put') {
      const [name, type, ...pairs] = rest;
      if (!name || !type) throw new UsageError('destination put takes NAME TYPE [KEY=VALUE ...]');
      const r = await client.call('destination.put', { name, type, ...(await settingsFrom(pairs)) });
      return ctx.out(JSON.stringify(r, null, 2));
    }
    if (sub === 'list') {
      if (rest.length) throw new UsageError('destination list takes no arguments');
      const r = await client.call<{ destinations: { name: string; type: string; usedBy: string[]; settings: Record<string, unknown> }[] }>('destination.list', {});
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      return ctx.out(renderTable([{ key: 'name', title: 'name' }, { key: 'type', title: 'type' }, { key: 'usedBy', title: 'schedules' }, { key: 'settings', title: 'settings' }],
        r.destinations.map((d) => ({ ...d, usedBy: d.usedBy.join(','), settings: JSON.stringify(d.settings) }))));
    }
    if (sub === 'test') {
      const [name, ...extra] = rest;
      if (!name || extra.length) throw new UsageError('destination test takes NAME');
      const r = await client.call<{ ok: boolean; latencyMs: number; code?: string; steps: { step: string; ok: boolean; ms: number; error?: { code: string; message: string } }[] }>('destination.test', { name });
      if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
      else {
        for (const st of r.steps) ctx.out(`${st.step.padEnd(6)} ${st.ok ? 'ok' : 'FAILED'} ${st.ms} ms${st.error ? ` ${st.error.code}: ${st.error.message}` : ''}`);
        ctx.out(r.ok ? `${name}: ok, ${r.latencyMs} ms` : `${name}: failed (${r.code})`);
      }
      if (!r.ok) throw new OutcomeFailed('');
      return;
    }
    throw new UsageError(`destination: unknown subcommand ${sub ?? '(none)'}`);
  },
};
