// SHA256SUMS (an archive's last entry) checked line by line as it is read, against the
// checksums of the files read before it, so neither its text nor its lines are ever held whole.
import { AgentError } from '../errors/index.ts';
import { parseSha256sumLine } from './checksums.ts';

/** Longer than any line a path within the tar reader's bound makes. */
const MAX_LINE = 16 * 1024;
/** What a file's checksum becomes once SHA256SUMS listed it. */
const LISTED = '';

const corrupt = (message: string) => new AgentError('AGENT_E_ARCHIVE_CORRUPT', message);

export class SumsMatcher {
  /** Path -> binary sha256 of each file read; LISTED once its line matched. */
  readonly #sums: Map<string, string>;
  #carry: Buffer = Buffer.alloc(0);

  constructor(sums: Map<string, string>) {
    this.#sums = sums;
  }

  push(piece: Buffer): void {
    let buf = this.#carry.length ? Buffer.concat([this.#carry, piece]) : piece;
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) >= 0) {
      this.#line(buf.toString('utf8', 0, nl));
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > MAX_LINE) throw corrupt('SHA256SUMS holds a malformed line');
    this.#carry = Buffer.from(buf);
  }

  /** Throws unless every file read was listed with its checksum. */
  end(): void {
    if (this.#carry.length > 0) this.#line(this.#carry.toString('utf8'));
    for (const [p, digest] of this.#sums) {
      if (digest !== LISTED) throw corrupt(`${p} is missing from SHA256SUMS`);
    }
  }

  #line(line: string): void {
    if (line === '') return;
    const parsed = parseSha256sumLine(line);
    if (!parsed) throw corrupt('SHA256SUMS holds a malformed line');
    const actual = this.#sums.get(parsed.path);
    if (actual === undefined) throw corrupt(`SHA256SUMS lists ${parsed.path}, which the archive lacks`);
    if (actual === LISTED) throw corrupt(`SHA256SUMS lists ${parsed.path} twice`);
    if (actual !== Buffer.from(parsed.hex, 'hex').toString('binary')) throw corrupt(`${parsed.path} does not match its checksum`);
    this.#sums.set(parsed.path, LISTED);
  }
}
