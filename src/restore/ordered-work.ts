// Runs an extractor's filesystem work strictly in archive order. A task may return a promise
// (a large file, written as its data arrives); the tasks behind it wait for it, so the result is
// the one a sequential extraction gives while the decompressor keeps running ahead.
import { Fifo } from '../core/fifo.ts';

export type WorkTask = () => void | Promise<void>;

export class OrderedWork {
  /** Tens of thousands of small files can be queued while a large one is written. */
  readonly #queue = new Fifo<WorkTask>();
  #busy = false;
  #idle: (() => void)[] = [];

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
    while (!this.#busy && this.#queue.length > 0) {
      const done = this.#queue.take()!();
      if (done) {
        this.#busy = true;
        void done.finally(() => { this.#busy = false; this.#pump(); });
        return;
      }
    }
    if (!this.#busy && this.#queue.length === 0 && this.#idle.length > 0) {
      const waiting = this.#idle.splice(0);
      for (const fn of waiting) fn();
    }
  }
}
