/**
 * Remembers fn's value for `ms` milliseconds of real time: for figures that are costly to read
 * and only need to be about right (spool usage in agent.status, polled by panels).
 */
export function cacheFor<T>(ms: number, fn: () => T): () => T {
  let value: T;
  let until = -Infinity;
  return () => {
    const now = performance.now();
    if (now >= until) {
      value = fn();
      until = now + ms;
    }
    return value;
  };
}
