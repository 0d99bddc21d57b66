import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../log.ts';
import { SecretReadError } from './key-errors.ts';
import { SecretCache } from './secret-cache.ts';

describe('SecretCache', () => {
  let now = 0;
  let restoreLog: () => void;
  beforeEach(() => {
    now = 0;
    restoreLog = setLogSink(() => undefined);
  });
  afterEach(() => restoreLog());

  it('keeps at most maxEntries, dropping the oldest, so invented names cannot grow memory', async () => {
    const reads: string[] = [];
    const cache = new SecretCache(
      async (name) => {
        reads.push(name);
        throw new SecretReadError('not_found', name, 'missing');
      },
      { maxEntries: 3, now: () => now },
    );
    for (const name of ['a', 'b', 'c', 'd']) await cache.get(name).catch(() => undefined);
    await cache.get('d').catch(() => undefined);
    await cache.get('a').catch(() => undefined);
    expect(reads).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('never evicts an entry whose read is in flight', async () => {
    let release!: (value: string) => void;
    const cache = new SecretCache((name) => (name === 'slow' ? new Promise<string>((resolve) => (release = resolve)) : Promise.resolve(name)), {
      maxEntries: 1,
      now: () => now,
    });
    const slow = cache.get('slow');
    await cache.get('fast');
    const joined = cache.get('slow');
    release('value');
    await expect(Promise.all([slow, joined])).resolves.toEqual(['value', 'value']);
  });

  it('treats an unexpected error like an outage: an old value keeps serving', async () => {
    let fail = false;
    const cache = new SecretCache(
      async () => {
        if (fail) throw new TypeError('socket hang up');
        return 'value';
      },
      { ttlMs: 10, graceMs: 1_000, now: () => now },
    );
    await cache.get('x');
    fail = true;
    now = 20;
    await expect(cache.get('x')).resolves.toBe('value');
    now = 2_000;
    await expect(cache.get('x')).rejects.toMatchObject({ kind: 'unavailable', secretName: 'x' });
  });

  it('drops an old value at once when the source says it is gone or forbidden', async () => {
    let answer: 'value' | 'denied' = 'value';
    const cache = new SecretCache(
      async (name) => {
        if (answer === 'denied') throw new SecretReadError('denied', name, 'denied');
        return answer;
      },
      { ttlMs: 10, now: () => now },
    );
    await cache.get('x');
    answer = 'denied';
    now = 20;
    await expect(cache.get('x')).rejects.toMatchObject({ kind: 'denied' });
  });
});
