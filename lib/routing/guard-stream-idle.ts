/**
 * Ends a started stream that goes silent. Only the wait for the *next* upstream part is
 * timed, never the stream's total length, so a long healthy answer is never cut.
 * On expiry the upstream is aborted and the error is thrown to the renderer, which writes
 * it as an in-band `data: {"error": ...}` event (never a silent truncated 200).
 *
 * A plain iterator, not an async generator: a generator's resumption costs several promise
 * hops per event on top of the wait's own promise, and its `return()` queues behind a pending
 * `next()`, where this one lets go of the upstream at once.
 */
export function guardStreamIdle<T>(
  parts: AsyncIterable<T>,
  options: { idleTimeoutMs: number; onIdle: () => Error; abort: (reason: Error) => void; release: () => void },
): AsyncIterableIterator<T> {
  const iterator = parts[Symbol.asyncIterator]();
  let ended = false;
  // One timer for the whole stream, re-armed per wait (a timer, a promise and a race per event
  // were most of this guard's cost). It fires only while a wait is pending: the time the caller
  // takes to consume a part (a slow client) is not upstream silence.
  let rejectWait: ((error: Error) => void) | undefined;
  const timer = setTimeout(() => {
    const reject = rejectWait;
    if (reject === undefined) return;
    const error = options.onIdle();
    options.abort(error);
    end(false);
    reject(error);
  }, options.idleTimeoutMs);

  /**
   * Once, however the stream stops. Stopped early (caller gone, idle, error): let the upstream
   * iterator clean up, without waiting on it, since a stalled read may only end once the abort
   * has landed. A wait still pending is settled by that upstream iterator (its `return()` ends it).
   */
  function end(completed: boolean): void {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    options.release();
    if (!completed) iterator.return?.()?.catch(() => {});
  }

  // The wait's callbacks are made once per stream, not per event.
  let resolveWait: ((next: IteratorResult<T>) => void) | undefined;
  const onNext = (next: IteratorResult<T>) => {
    const resolve = resolveWait;
    resolveWait = rejectWait = undefined;
    if (next.done) end(true);
    resolve?.(next);
  };
  const onError = (error: unknown) => {
    const reject = rejectWait;
    resolveWait = rejectWait = undefined;
    end(false);
    reject?.(error as Error);
  };
  const startWait = (resolve: (next: IteratorResult<T>) => void, reject: (error: Error) => void) => {
    resolveWait = resolve;
    rejectWait = reject;
    iterator.next().then(onNext, onError);
  };

  const guarded: AsyncIterableIterator<T> = {
    next() {
      if (ended) return Promise.resolve({ done: true, value: undefined });
      timer.refresh();
      return new Promise<IteratorResult<T>>(startWait);
    },
    return() {
      end(false);
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return guarded;
    },
  };
  return guarded;
}
