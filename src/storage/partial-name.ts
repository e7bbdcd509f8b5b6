// Objects are written under a hidden temporary name and renamed when complete, where the
// backend can rename. list() never shows these names, so a broken upload is never mistaken
// for a snapshot even when the peer died before the partial could be removed.
import { randomBytes } from 'node:crypto';

const PREFIX = '.hostagent-partial-';
/** Random bytes in a partial name, so two uploads of one object never share a partial. */
const TAG_BYTES = 6;
const TAGGED = new RegExp(`^${PREFIX.replace(/[.]/g, '\\.')}[0-9a-f]{${TAG_BYTES * 2}}-`);

export function partialName(name: string): string {
  const slash = name.lastIndexOf('/');
  return `${name.slice(0, slash + 1)}${PREFIX}${randomBytes(TAG_BYTES).toString('hex')}-${name.slice(slash + 1)}`;
}

export function isPartialName(name: string): boolean {
  return name.slice(name.lastIndexOf('/') + 1).startsWith(PREFIX);
}

/** Whether `partial` is a partial name made for the object `name`. */
export function isPartialOf(partial: string, name: string): boolean {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const rest = partial.startsWith(dir) ? partial.slice(dir.length) : '';
  const tag = TAGGED.exec(rest);
  return tag !== null && rest.slice(tag[0].length) === name.slice(slash + 1);
}
