// croner patterns (5 or 6 fields: seconds optional; @daily, @hourly...) in a timezone.
// A Cron takes ~0.2 ms to build but keeps ~85 KB of heap alive, so only the most recently used
// patterns are kept: the scheduler already computes each distinct answer once per pass, and a
// cache of thousands of patterns cost an idle daemon tens of MiB of RSS.
import { Cron } from 'croner';
import { AgentError } from '../errors/index.ts';

const RECENT_PATTERNS = 16;
const recent = new Map<string, Cron>();

export function compileCron(pattern: string, timezone: string): Cron {
  const key = `${pattern}\u0000${timezone}`;
  let cron = recent.get(key);
  if (cron) recent.delete(key);
  else {
    assertTimezone(timezone);
    try {
      cron = new Cron(pattern, { timezone, paused: true });
    } catch (err) {
      throw new AgentError('AGENT_E_INVALID', `cron ${JSON.stringify(pattern)}: ${(err as Error).message}`, { data: { field: 'cron' } });
    }
    if (recent.size >= RECENT_PATTERNS) recent.delete(recent.keys().next().value!);
  }
  // Map order is insertion order: re-inserting makes this the most recently used.
  recent.set(key, cron);
  return cron;
}

function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new AgentError('AGENT_E_INVALID', `unknown timezone ${JSON.stringify(timezone)}`, { data: { field: 'timezone' } });
  }
}

/** The first fire time strictly after `after` (ms), or null when the pattern never fires again. */
export function nextFire(pattern: string, timezone: string, after: number): number | null {
  const next = compileCron(pattern, timezone).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

export function nextFires(pattern: string, timezone: string, after: number, count: number): number[] {
  return compileCron(pattern, timezone).nextRuns(count, new Date(after)).map((d) => d.getTime());
}
