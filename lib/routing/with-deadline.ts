/**
 * Runs one upstream attempt under its own AbortController: the caller's signal aborts it, and
 * so does the deadline (`request_timeout`) until the attempt has produced its answer (for a
 * stream: its first part, which callProvider awaits before returning). Past the deadline the
 * upstream is torn down and the promise rejects at once with `onTimeout()`'s error.
 */
export interface DeadlineResult<T> {
  value: T;
  /** Aborts the attempt later (a stalled stream); a no-op for an attempt with neither `timeoutMs` nor `signal`. */
  abort(reason: Error): void;
  /** Stops listening to the caller's signal once the answer is fully delivered. */
  release(): void;
}

export async function withDeadline<T>(
  run: (signal: AbortSignal | undefined) => Promise<T>,
  options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined; onTimeout: () => Error },
): Promise<DeadlineResult<T>> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw signal.reason;
  // Nothing can abort an attempt with neither a deadline nor a caller's signal (callOnce gives
  // every stream a deadline, so `abort` is never needed for it): it runs without an
  // AbortController, whose creation and listeners were ~2% of the CPU per request.
  if (timeoutMs === undefined && signal === undefined) return { value: await run(undefined), abort: noop, release: noop };
  const controller = new AbortController();
  const forward = () => controller.abort(signal!.reason);
  signal?.addEventListener('abort', forward, { once: true });
  const release = () => signal?.removeEventListener('abort', forward);

  let timer: NodeJS.Timeout | undefined;
  try {
    const running = run(controller.signal);
    let value: T;
    if (timeoutMs === undefined) {
      value = await running;
    } else {
      const expired = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const error = options.onTimeout();
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      // After expiry `running` rejects with the abort; that rejection is expected, not unhandled.
      running.catch(() => {});
      value = await Promise.race([running, expired]);
    }
    return { value, abort: (reason) => controller.abort(reason), release };
  } catch (error) {
    release();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}
