// The environment systemd/hostagent.service gives the daemon, so benchmarks measure it as it runs.
import fs from 'node:fs';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * The unit's Environment= assignments, with its CacheDirectory (/var/cache/NAME) moved under
 * `cacheRoot`; the directories named that way are created.
 */
export function unitEnvironment(cacheRoot: string): Record<string, string> {
  const unit = fs.readFileSync(path.join(repo, 'systemd/hostagent.service'), 'utf8');
  const env: Record<string, string> = {};
  for (const line of unit.split('\n')) {
    const m = /^Environment=(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const assignment of m[1]!.split(/\s+/)) {
      const eq = assignment.indexOf('=');
      if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1).replace(/^\/var\/cache\//, `${cacheRoot}/`);
    }
  }
  for (const v of Object.values(env)) if (v.startsWith(`${cacheRoot}/`)) fs.mkdirSync(v, { recursive: true, mode: 0o700 });
  return env;
}

/** The assignments for printing, with the temporary cache root shown as <temp>. */
export function describeEnvironment(env: Record<string, string>, cacheRoot: string): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v.replace(cacheRoot, '<temp>')}`).join(' ') || '(none)';
}
