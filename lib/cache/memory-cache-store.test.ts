import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from './memory-cache-store.ts';

const entry = (bytes: number, expiresAt = 2_000_000_000) => ({ value: new Uint8Array(bytes).fill(7), expiresAt });
const key = (n: number) => `${n}`.padStart(64, '0');

describe('MemoryCacheStore', () => {
  it('evicts the least recently used entries once its bytes exceed the bound', async () => {
    // Each entry: 1000 bytes + 64 key + 200 overhead = 1264; four fit in 5200, a fifth does not.
    const store = new MemoryCacheStore({ maxBytes: 5200 });
    for (let n = 0; n < 4; n++) await store.put(key(n), entry(1000));
    expect(store.size).toBe(4);
    expect(store.bytes).toBe(4 * 1264);
    await store.get(key(0)); // 0 is now the most recently used; 1 the least
    await store.put(key(4), entry(1000));
    expect(store.size).toBe(4);
    expect(await store.get(key(1))).toBeUndefined();
    for (const n of [0, 2, 3, 4]) expect(await store.get(key(n)), `entry ${n}`).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(5200);
  });

  it('evicts as many small entries as one large one needs', async () => {
    const store = new MemoryCacheStore({ maxBytes: 5200 });
    for (let n = 0; n < 4; n++) await store.put(key(n), entry(1000));
    await store.put(key(9), entry(3000)); // 3264 bytes: only one small entry may stay
    expect(store.size).toBe(2);
    expect(await store.get(key(3))).toBeDefined();
    expect(await store.get(key(9))).toBeDefined();
  });

  it('keeps nothing larger than its whole bound, and evicts nothing for it', async () => {
    const store = new MemoryCacheStore({ maxBytes: 5200 });
    await store.put(key(0), entry(1000));
    await store.put(key(1), entry(6000));
    expect(await store.get(key(1))).toBeUndefined();
    expect(await store.get(key(0))).toBeDefined();
  });

  it('counts a replaced entry once', async () => {
    const store = new MemoryCacheStore({ maxBytes: 100_000 });
    await store.put(key(0), entry(1000));
    await store.put(key(0), entry(2000));
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(2000 + 64 + 200);
  });

  it('drops an expired entry when it meets it, by the injected clock', async () => {
    let now = 1_000_000;
    const store = new MemoryCacheStore({ maxBytes: 100_000, now: () => now });
    await store.put(key(0), entry(10, 1_000 + 60));
    now = 1_059_999;
    expect(await store.get(key(0))).toBeDefined();
    now = 1_060_000;
    // Handed back once (the cache decides what expired means), and gone from memory.
    expect((await store.get(key(0)))?.expiresAt).toBe(1_060);
    expect(store.bytes).toBe(0);
    expect(await store.get(key(0))).toBeUndefined();
  });
});
