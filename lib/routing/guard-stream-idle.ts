/**
 * Ends a started stream that goes silent. Only the wait for the *next* upstream part is
 * timed, never the stream's total length, so a long healthy answer is never cut.
 * On expiry the upstream is aborted and the error is thrown to the renderer, which writes
 * it as an in-band `data: {"error": ...}` event (never a silent truncated 200).
 */
export async function* guardStreamIdle<T>(
  parts: AsyncIterable<T>,
  options: { idleTimeoutMs: number; onIdle: () => Error; abort: (reason: Error) => void; release: () => void },
): AsyncGenerator<T> {
  const iterator = parts[Symbol.asyncIterator]();
  let finished = false;
  // One timer for the whole stream, re-armed per wait (a timer, a promise and a race per event
  // were most of this guard's cost). It fires only while a wait is pending: the time the caller
  // takes to consume a part (a slow client) is not upstream silence.
  let rejectWait: ((error: Error) => void) | undefined;
  const timer = setTimeout(() => {
    if (rejectWait === undefined) return;
    const error = options.onIdle();
    options.abort(error);
    rejectWait(error);
  }, options.idleTimeoutMs);
  try {
    while (true) {
      timer.refresh();
      let next: IteratorResult<T>;
      try {
        next = await new Promise<IteratorResult<T>>((resolve, reject) => {
          rejectWait = reject;
          iterator.next().then(resolve, reject);
        });
      } finally {
        rejectWait = undefined;
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    options.release();
    // Stopped early (caller gone, idle, error): let the upstream iterator clean up, without
    // waiting on it, since a stalled read may only end once the abort has landed.
    if (!finished) iterator.return?.()?.catch(() => {});
  }
}
