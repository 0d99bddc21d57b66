import { describe, expect, it } from 'vitest';
import { guardStreamIdle } from './guard-stream-idle.ts';
import { withDeadline } from './with-deadline.ts';

async function* paced(values: string[], gapMs: number, thenStallFor = 0): AsyncGenerator<string> {
  for (const value of values) {
    yield value;
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  if (thenStallFor) await new Promise((resolve) => setTimeout(resolve, thenStallFor));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('guardStreamIdle', () => {
  it('passes a stream through when no gap reaches the limit', async () => {
    let released = 0;
    // Five gaps of 20 ms: 100 ms in all, against a 500 ms limit per gap, with room for a busy machine.
    const parts = guardStreamIdle(paced(['a', 'b', 'c', 'd', 'e'], 20), {
      idleTimeoutMs: 500,
      onIdle: () => new Error('idle'),
      abort: () => {},
      release: () => released++,
    });
    expect(await collect(parts)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(released).toBe(1);
  });

  it('throws and aborts once a gap passes the limit', async () => {
    const aborted: Error[] = [];
    const parts = guardStreamIdle(paced(['a'], 0, 5_000), {
      idleTimeoutMs: 50,
      onIdle: () => new Error('idle for 50 ms'),
      abort: (reason) => aborted.push(reason),
      release: () => {},
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const part of parts) seen.push(part);
      })(),
    ).rejects.toThrow('idle for 50 ms');
    expect(seen).toEqual(['a']);
    expect(aborted.map((error) => error.message)).toEqual(['idle for 50 ms']);
  });

  it('lets go of the upstream at once when its consumer stops during a wait', async () => {
    let returned = 0;
    let released = 0;
    const stalled: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => {}),
        return: async () => {
          returned++;
          return { done: true, value: undefined };
        },
      }),
    };
    const parts = guardStreamIdle(stalled, { idleTimeoutMs: 60_000, onIdle: () => new Error('idle'), abort: () => {}, release: () => released++ });
    void parts.next();
    expect(await parts.return!()).toEqual({ done: true, value: undefined });
    expect({ returned, released }).toEqual({ returned: 1, released: 1 });
    expect(await parts.next()).toEqual({ done: true, value: undefined });
  });
});

describe('withDeadline', () => {
  it('rejects with the timeout error and aborts the attempt signal', async () => {
    let attemptSignal!: AbortSignal;
    const started = Date.now();
    await expect(
      withDeadline(
        (maybeSignal) => {
          // With a deadline the attempt always gets a signal.
          const signal = maybeSignal!;
          attemptSignal = signal;
          return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        },
        { timeoutMs: 50, onTimeout: () => new Error('too slow') },
      ),
    ).rejects.toThrow('too slow');
    expect(attemptSignal.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('forwards the caller abort until released', async () => {
    const caller = new AbortController();
    let attemptSignal!: AbortSignal;
    const attempt = await withDeadline(
      async (signal) => {
        attemptSignal = signal!;
        return 'answer';
      },
      { timeoutMs: 1000, signal: caller.signal, onTimeout: () => new Error('too slow') },
    );
    expect(attempt.value).toBe('answer');
    caller.abort(new Error('gone'));
    expect(attemptSignal.aborted).toBe(true);
    expect((attemptSignal.reason as Error).message).toBe('gone');
  });

  it('does not abort after release', async () => {
    const caller = new AbortController();
    let attemptSignal!: AbortSignal;
    const attempt = await withDeadline(
      async (signal) => {
        attemptSignal = signal!;
        return 1;
      },
      { signal: caller.signal, onTimeout: () => new Error('unused') },
    );
    attempt.release();
    caller.abort();
    expect(attemptSignal.aborted).toBe(false);
  });
});
