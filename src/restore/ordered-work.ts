// Runs an extractor's filesystem work in archive order, letting small-file writes overlap on
// the threadpool: creating a file costs a journal round trip, and a few in flight at once hide
// it. A task never starts before the ones queued ahead of it; a parallel task only joins the
// ones in flight when they are in the same directory (whose fd they share) and under other
// names; anything else (directories, links, large files) waits until nothing is in flight, so
// the result is the one a strictly sequential extraction gives.

export type WorkTask =
  | { kind: 'parallel'; group: string; key: string; run(): Promise<void> }
  | { kind: 'barrier'; run(): void | Promise<void> };

export class OrderedWork {
  readonly #max: number;
  readonly #queue: WorkTask[] = [];
  readonly #keys = new Set<string>();
  #group = '';
  #inFlight = 0;
  #barrier = false;
  #idle: (() => void)[] = [];

  constructor(maxInFlight: number) {
    this.#max = maxInFlight;
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  push(task: WorkTask): void {
    this.#queue.push(task);
    this.#pump();
  }

  /** Calls `fn` once everything queued so far (and anything queued meanwhile) has run. */
  whenIdle(fn: () => void): void {
    this.#idle.push(fn);
    this.#pump();
  }

  #pump(): void {
    while (!this.#barrier && this.#queue.length > 0) {
      const task = this.#queue[0]!;
      if (task.kind === 'barrier') {
        if (this.#inFlight > 0) return;
        this.#queue.shift();
        const done = task.run();
        if (done) {
          this.#barrier = true;
          void done.finally(() => { this.#barrier = false; this.#pump(); });
          return;
        }
        continue;
      }
      if (this.#inFlight > 0 && (this.#inFlight >= this.#max || task.group !== this.#group || this.#keys.has(task.key))) return;
      this.#queue.shift();
      this.#group = task.group;
      this.#keys.add(task.key);
      this.#inFlight++;
      void task.run().finally(() => {
        this.#inFlight--;
        this.#keys.delete(task.key);
        this.#pump();
      });
    }
    if (!this.#barrier && this.#queue.length === 0 && this.#inFlight === 0 && this.#idle.length > 0) {
      const waiting = this.#idle.splice(0);
      for (const fn of waiting) fn();
    }
  }
}
