// One order for everything listed by name (destination listings, Maildir entries): by UTF-16
// code unit, the same on every host and locale.

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
