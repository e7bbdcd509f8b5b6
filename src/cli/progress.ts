import { humanBytes } from './table.ts';

/** A one-line progress bar on a terminal's stderr; silent when stderr is not a TTY. */
export class ProgressBar {
  readonly #tty = Boolean(process.stderr.isTTY);
  #last = '';

  update(label: string, done: number, total?: number): void {
    if (!this.#tty) return;
    const width = 30;
    const frac = total && total > 0 ? Math.min(1, done / total) : null;
    const bar = frac === null ? '' : `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}% `;
    const line = `${bar}${humanBytes(done)}${total ? ` / ${humanBytes(total)}` : ''}  ${label}`.slice(0, (process.stderr.columns ?? 100) - 1);
    if (line === this.#last) return;
    this.#last = line;
    process.stderr.write(`\r\x1b[2K${line}`);
  }

  done(): void {
    if (this.#tty && this.#last) process.stderr.write('\r\x1b[2K');
    this.#last = '';
  }
}
