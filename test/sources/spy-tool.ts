// A pass-through wrapper for a real dump tool: it records the argv and environment the tool
// was started with and the mode of the option/password file, then execs the real tool. Lets a
// test prove that no password reaches argv or the environment without replacing the tool.
import fs from 'node:fs';
import path from 'node:path';

export interface SpyTool {
  command: string;
  /** What the last run recorded: argv (one per line), env, and `stat` of the credential file. */
  read(): { argv: string[]; env: string; credentialMode: string | null };
  /** Whether the process of the last run still exists. */
  running(): boolean;
}

/** `credentialFrom`: 'first-arg' (mariadb --defaults-extra-file=F) or 'PGPASSFILE'. */
export function makeSpyTool(dir: string, realTool: string, credentialFrom: 'first-arg' | 'PGPASSFILE', delaySeconds = 0): SpyTool {
  const log = path.join(dir, `spy-${path.basename(realTool)}`);
  const command = `${log}.sh`;
  const credential = credentialFrom === 'first-arg' ? '"${1#--defaults-extra-file=}"' : '"$PGPASSFILE"';
  fs.writeFileSync(command, [
    '#!/bin/sh',
    `printf '%s\\n' "$@" > '${log}.argv'`,
    `env > '${log}.env'`,
    `stat -c %a ${credential} > '${log}.mode' 2>/dev/null || echo missing > '${log}.mode'`,
    // exec keeps the pid: the one a test checks is gone after an abort.
    `echo $$ > '${log}.pid'`,
    delaySeconds > 0 ? `exec sleep ${delaySeconds}` : `exec ${realTool} "$@"`,
    '',
  ].join('\n'), { mode: 0o755 });
  return {
    command,
    read: () => ({
      argv: fs.readFileSync(`${log}.argv`, 'utf8').split('\n').filter(Boolean),
      env: fs.readFileSync(`${log}.env`, 'utf8'),
      credentialMode: fs.existsSync(`${log}.mode`) ? fs.readFileSync(`${log}.mode`, 'utf8').trim() : null,
    }),
    running: () => {
      const pid = Number(fs.readFileSync(`${log}.pid`, 'utf8'));
      try { process.kill(pid, 0); return true; } catch { return false; }
    },
  };
}

/** Reads an archive entry's data fully (test helper). */
export async function entryBytes(open: (() => NodeJS.ReadableStream) | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of open!()) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}
