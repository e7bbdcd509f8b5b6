import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UsageError, type Command } from '../command.ts';
import { parseCommandArgs, intArg } from '../args.ts';
import { renderRecord, renderTable } from '../table.ts';

const USAGE = `agentctl account put NAME --uid N --gid N --home DIR [--package P] [--db ENGINE:NAME]... [--mailbox ADDRESS:MAILDIR[:OWNER]]... [--zone NAME:FILE]... [--exclude GLOB]... [--docroot DIR]...
agentctl account put --from FILE|-        (the account.put params as JSON)
agentctl account get NAME
agentctl account list [--package P]
agentctl account delete NAME
agentctl account capabilities NAME     (what the panel offers this tenant now)`;

function pairs(values: string[] | undefined, what: string, min = 2): string[][] {
  return (values ?? []).map((v) => {
    const parts = v.split(':');
    if (parts.length < min) throw new UsageError(`${what} takes ${what === '--mailbox' ? 'ADDRESS:MAILDIR[:OWNER]' : 'A:B'}, got ${v}`);
    return parts;
  });
}

export const accountCommand: Command = {
  name: 'account',
  summary: 'Create, show, list and delete hosting accounts.',
  usage: USAGE,
  examples: [
    'agentctl account put shop --uid 1001 --gid 1001 --home /home/shop --package basic --db mariadb:shop_wp --mailbox info@shop.example:/var/mail/shop.example/info',
    'agentctl account put --from shop.json',
    'agentctl account get shop',
    'agentctl account list --package basic',
    'agentctl account capabilities shop',
    'agentctl account delete shop',
  ],
  methods: ['account.put', 'account.get', 'account.list', 'account.delete', 'account.capabilities'],
  subcommands: ['put', 'get', 'list', 'delete', 'capabilities'],
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const client = () => ctx.client();
    if (sub === 'put') {
      const { values: o, positionals } = parseCommandArgs(rest, {
        from: { type: 'string' }, uid: { type: 'string' }, gid: { type: 'string' }, home: { type: 'string' }, package: { type: 'string' },
        db: { type: 'string', multiple: true }, mailbox: { type: 'string', multiple: true }, zone: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true }, docroot: { type: 'string', multiple: true },
      });
      let params: Record<string, unknown>;
      if (o.from !== undefined) {
        try {
          params = JSON.parse(fs.readFileSync(o.from === '-' ? 0 : o.from, 'utf8')) as Record<string, unknown>;
        } catch (err) {
          throw new UsageError(`--from: ${(err as Error).message}`);
        }
      } else {
        const [name] = positionals;
        if (!name || o.uid === undefined || o.gid === undefined || !o.home) throw new UsageError('account put needs NAME, --uid, --gid and --home');
        params = {
          name, uid: intArg(o.uid, '--uid'), gid: intArg(o.gid, '--gid'), home: o.home,
          ...(o.package ? { package: o.package } : {}),
          ...(o.db ? { databases: pairs(o.db, '--db').map(([engine, n]) => ({ engine, name: n })) } : {}),
          ...(o.mailbox ? { mailboxes: pairs(o.mailbox, '--mailbox').map(([address, maildir, owner]) => ({ address, maildir, ...(owner ? { owner } : {}) })) } : {}),
          ...(o.zone ? { zones: pairs(o.zone, '--zone').map(([n, file]) => ({ name: n, file })) } : {}),
          ...(o.exclude ? { excludes: o.exclude } : {}),
          ...(o.docroot ? { docroots: o.docroot } : {}),
        };
      }
      const result = await (await client()).call<Record<string, unknown>>('account.put', params);
      return ctx.out(ctx.json ? JSON.stringify(result, null, 2) : `account ${String(result.name)} saved`);
    }
    if (sub === 'get') {
      const [name, ...more] = parseCommandArgs(rest, {}).positionals;
      if (!name || more.length) throw new UsageError('account get takes NAME');
      const a = await (await client()).call<Record<string, unknown>>('account.get', { name });
      return ctx.out(ctx.json ? JSON.stringify(a, null, 2) : renderRecord(a));
    }
    if (sub === 'list') {
      const { values: o } = parseCommandArgs(rest, { package: { type: 'string' } });
      const r = await (await client()).call<{ accounts: Record<string, unknown>[] }>('account.list', o.package ? { package: o.package } : {});
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      return ctx.out(renderTable([
        { key: 'name', title: 'account' }, { key: 'uid', title: 'uid', align: 'right' }, { key: 'home', title: 'home' }, { key: 'package', title: 'package' },
        { key: 'dbs', title: 'dbs', align: 'right' }, { key: 'mail', title: 'mailboxes', align: 'right' },
      ], r.accounts.map((a) => ({ ...a, dbs: (a.databases as unknown[] | undefined)?.length ?? 0, mail: (a.mailboxes as unknown[] | undefined)?.length ?? 0 }))));
    }
    if (sub === 'delete') {
      const [name, ...more] = parseCommandArgs(rest, {}).positionals;
      if (!name || more.length) throw new UsageError('account delete takes NAME');
      await (await client()).call('account.delete', { name });
      return ctx.out(`account ${name} deleted`);
    }
    if (sub === 'capabilities') {
      const [name, ...more] = parseCommandArgs(rest, {}).positionals;
      if (!name || more.length) throw new UsageError('account capabilities takes NAME');
      // As the panel would ask for this tenant; the session only has to be well-formed here.
      const r = await (await client()).call<Record<string, unknown>>('account.capabilities', { actor: { account: name, session: `agentctl-${randomBytes(8).toString('hex')}` } });
      return ctx.out(ctx.json ? JSON.stringify(r, null, 2) : renderRecord(r));
    }
    throw new UsageError(`account: unknown subcommand ${sub ?? '(none)'}`);
  },
};
