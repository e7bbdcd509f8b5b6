// croner patterns (5 or 6 fields: seconds optional; @daily, @hourly...) in a timezone.
// Building a Cron is costly (it parses and sets up timezone formatting), and hosts run
// thousands of schedules on a handful of patterns, so compiled patterns are shared.
import { Cron } from 'croner';
import { AgentError } from '../errors/index.ts';

const compiled = new Map<string, Cron>();

export function compileCron(pattern: string, timezone: string): Cron {
  const key = `${pattern}\u0000${timezone}`;
  let cron = compiled.get(key);
  if (!cron) {
    assertTimezone(timezone);
    try {
      cron = new Cron(pattern, { timezone, paused: true });
    } catch (err) {
      throw new AgentError('AGENT_E_INVALID', `cron ${JSON.stringify(pattern)}: ${(err as Error).message}`, { data: { field: 'cron' } });
    }
    if (compiled.size >= 10_000) compiled.clear();
    compiled.set(key, cron);
  }
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
