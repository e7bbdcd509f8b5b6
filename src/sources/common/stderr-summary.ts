import { redactText, REDACTED } from '../../core/redact.ts';

/**
 * The useful part of a tool's stderr for an error message: the lines that say what failed,
 * shortened, with every given secret and every URL credential replaced.
 */
export function summarizeStderr(stderr: string, secrets: Array<string | null | undefined>, max = 600): string {
  let text = stderr;
  for (const s of secrets) if (s) text = text.split(s).join(REDACTED);
  text = redactText(text);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const important = lines.filter((l) => /error|fatal|denied|unknown|not exist|failed|refused|can't|cannot|could not/i.test(l));
  let out = (important.length ? important : lines).join(' | ');
  if (out.length > max) out = out.slice(0, max - 1) + '…';
  return out || 'no error output';
}
