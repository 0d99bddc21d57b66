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
  try {
    while (true) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const error = options.onIdle();
          options.abort(error);
          reject(error);
        }, options.idleTimeoutMs);
      });
      let next: IteratorResult<T>;
      try {
        next = await Promise.race([iterator.next(), idle]);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    options.release();
    // Stopped early (caller gone, idle, error): let the upstream iterator clean up, without
    // waiting on it, since a stalled read may only end once the abort has landed.
    if (!finished) iterator.return?.()?.catch(() => {});
  }
}
