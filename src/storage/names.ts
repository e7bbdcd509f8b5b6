// Object names are relative, '/'-separated, and may not climb out of the destination's path.
import { AgentError } from '../errors/index.ts';

export function checkName(name: string): string {
  if (typeof name !== 'string' || name === '' || name.startsWith('/') || name.endsWith('/') ||
      name.split('/').some((seg) => seg === '' || seg === '.' || seg === '..') || /[\u0000-\u001f\u007f]/.test(name)) {
    // Control characters are refused too: in an FTP command line, CR LF would start a new command.
    throw new AgentError('AGENT_E_INVALID', `object name ${JSON.stringify(name)} must be a relative path without empty, "." or ".." segments or control characters`, { data: { field: 'name' } });
  }
  return name;
}

/** Joins a configured base path and an object name with single slashes. */
export function joinPath(base: string, name: string): string {
  const b = base.replace(/\/+$/, '');
  return b === '' ? name : `${b}/${name}`;
}

/** Checks a get() range against the stored size. */
export function checkRange(offset = 0, length?: number): { offset: number; length?: number } {
  if (!Number.isInteger(offset) || offset < 0 || (length !== undefined && (!Number.isInteger(length) || length < 0))) {
    throw new AgentError('AGENT_E_INVALID', 'offset and length must be whole numbers >= 0', { data: { field: 'offset' } });
  }
  return { offset, length };
}
