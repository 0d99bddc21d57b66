/**
 * Milliseconds on a monotonic clock, for durations: like `performance.now()`, from another origin.
 * Not `performance.now()`: the first read of that global loads node:perf_hooks and seven internal
 * modules (1.0-1.5 ms on Node 24, measured in a fresh process), which a cold start's first request
 * would wait for; `process.hrtime()` is one call into the runtime.
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1_000 + nanoseconds / 1_000_000;
}
