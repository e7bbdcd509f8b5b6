export interface Column { key: string; title: string; align?: 'left' | 'right' }

/** Renders rows as an aligned plain-text table for humans; --json prints the raw result instead. */
export function renderTable(columns: Column[], rows: Record<string, unknown>[]): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c.key])));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title.toUpperCase())), ...cells.map(line)].join('\n');
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Key/value lines for one object. */
export function renderRecord(obj: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(obj).map((k) => k.length));
  return Object.entries(obj).map(([k, v]) => `${k.padEnd(width)}  ${formatCell(v)}`).join('\n');
}

/**
 * Key/value lines with nested objects spelled out as dotted keys (`result.files.path`), so what a
 * job wrote reads as lines rather than one JSON blob; lists of plain values are comma-joined.
 */
export function renderNestedRecord(obj: Record<string, unknown>): string {
  const flat: Record<string, unknown> = {};
  const walk = (prefix: string, v: unknown): void => {
    if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) flat[prefix] = v.length ? v.join(', ') : '-';
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}.${i}`, x));
    else if (v !== null && typeof v === 'object' && Object.keys(v).length) for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
    else flat[prefix] = v !== null && typeof v === 'object' ? '-' : v;
  };
  walk('', obj);
  return renderRecord(flat);
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
