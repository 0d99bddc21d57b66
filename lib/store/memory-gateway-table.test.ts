import { describe, expect, test } from 'vitest';
import { createMemoryGatewayTable } from './memory-gateway-table.ts';

describe('the in-process table', () => {
  test('adds under a ceiling atomically and refuses what would pass it', async () => {
    const table = createMemoryGatewayTable();
    const key = { pk: 'limits#a#*', sk: 'minute#x' };
    expect(await table.add(key, { requests: 2 }, { ttl: 2_000_000_000, ceilings: { requests: 3 } })).toEqual({ applied: true, values: { requests: 2 } });
    expect(await table.add(key, { requests: 2 }, { ttl: 2_000_000_000, ceilings: { requests: 3 } })).toEqual({ applied: false });
    expect(await table.add(key, { requests: -2 }, { ttl: 2_000_000_000 })).toEqual({ applied: true, values: { requests: 0 } });
  });

  test('adds to several attributes of one item all or none', async () => {
    const table = createMemoryGatewayTable();
    const key = { pk: 'limits#a#*', sk: 'minute#x' };
    const ceilings = { requests: 10, tokens: 100 };
    expect(await table.add(key, { requests: 1, tokens: 60 }, { ttl: 2_000_000_000, ceilings })).toEqual({ applied: true, values: { requests: 1, tokens: 60 } });
    expect(await table.add(key, { requests: 1, tokens: 60 }, { ttl: 2_000_000_000, ceilings })).toEqual({ applied: false });
    expect((await table.get(key))?.values).toEqual({ requests: 1, tokens: 60 });
  });

  test('reads an expired item as absent, in a get and in a scan', async () => {
    let nowMs = 1_000_000;
    const table = createMemoryGatewayTable({ now: () => nowMs, sweepEvery: 2 });
    await table.put({ pk: 'cache#x', sk: 'a', ttl: 1_001, values: { body: 'hello' } });
    expect((await table.get({ pk: 'cache#x', sk: 'a' }))?.values.body).toBe('hello');
    nowMs = 1_001_000;
    expect(await table.get({ pk: 'cache#x', sk: 'a' })).toBeUndefined();
    await table.put({ pk: 'cache#y', sk: 'b', values: {} });
    const left = [];
    for await (const item of table.scan('cache#')) left.push(item.pk);
    expect(left).toEqual(['cache#y']);
  });

  test('hands out copies, so a caller cannot change a stored item', async () => {
    const table = createMemoryGatewayTable();
    await table.put({ pk: 'p', sk: 's', values: { n: 1 } });
    const item = await table.get({ pk: 'p', sk: 's' });
    item!.values.n = 99;
    expect((await table.get({ pk: 'p', sk: 's' }))?.values.n).toBe(1);
  });
});
