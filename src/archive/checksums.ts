// SHA256SUMS in the format `sha256sum -c` reads, including its escaping of names that hold
// a backslash or a newline (such lines start with '\').

export function sha256sumLine(hex: string, path: string): string {
  if (path.includes('\\') || path.includes('\n')) {
    return `\\${hex}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
  }
  return `${hex}  ${path}\n`;
}

/** Parses one SHA256SUMS line back into hash and path; null when malformed. */
export function parseSha256sumLine(line: string): { hex: string; path: string } | null {
  const escaped = line.startsWith('\\');
  const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(escaped ? line.slice(1) : line);
  if (!m) return null;
  const path = escaped ? m[2].replace(/\\(\\|n)/g, (_s, c: string) => (c === 'n' ? '\n' : '\\')) : m[2];
  return { hex: m[1], path };
}
