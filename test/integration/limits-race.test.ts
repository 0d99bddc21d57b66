/**
 * Limits hold across instances: many reservations at once against one counter, through two separate
 * DynamoDB clients (two gateway processes sharing one table), never pass the limit; the same with
 * the in-process table.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { counterAttribute, counterKey, SHARED_SCOPE } from '../../lib/limits/applicable-counters.ts';
import { createLimiter, type Limiter } from '../../lib/limits/create-limiter.ts';
import { RateLimitExceededError } from '../../lib/limits/limit-errors.ts';
import { windowAt } from '../../lib/limits/limit-windows.ts';
import { parseLimitsDocument } from '../../lib/limits/limits-document.ts';
import { dynaliteTable } from './limits-table.ts';
import { createMemoryGatewayTable } from '../../lib/store/memory-gateway-table.ts';
import { type Dynalite, startDynalite, TEST_TABLE } from '../support/dynalite.ts';

let dynaliteServer: Dynalite;
beforeAll(async () => {
  dynaliteServer = await startDynalite();
});
afterAll(() => dynaliteServer.close());

const CONCURRENT = 60;
const LIMIT = 25;
const caller = { userArn: 'arn:aws:iam::123456789012:user/racer', accountId: '123456789012' };

/** Fires `CONCURRENT` reservations at once, alternating between the limiters; counts who got through. */
async function race(limiters: Limiter[], document: ReturnType<typeof parseLimitsDocument>, tokens: number) {
  const outcomes = await Promise.allSettled(
    Array.from({ length: CONCURRENT }, (_, index) => limiters[index % limiters.length]!.reserve(document, { caller }, { tokens, costUsd: null })),
  );
  const refusals = outcomes.filter((outcome) => outcome.status === 'rejected');
  for (const refusal of refusals) expect(refusal.reason).toBeInstanceOf(RateLimitExceededError);
  return { passed: outcomes.length - refusals.length, refused: refusals.length };
}

describe('concurrent reservations against one counter', () => {
  test(`${CONCURRENT} requests through two DynamoDB clients pass requests_per_minute ${LIMIT} exactly ${LIMIT} times`, async () => {
    const now = () => Date.parse('2026-11-27T10:00:10Z');
    const limiters = [0, 1].map(() => createLimiter({ now, table: dynaliteTable(dynaliteServer.url) }));
    const document = parseLimitsDocument({ rules: [{ name: 'race-requests', requests_per_minute: LIMIT }] }, 'test');

    expect(await race(limiters, document, 1)).toEqual({ passed: LIMIT, refused: CONCURRENT - LIMIT });

    const reader = dynaliteTable(dynaliteServer.url);
    const item = await reader.get(counterKey('race-requests', SHARED_SCOPE), { consistent: true });
    expect(item?.values[counterAttribute('requests_per_minute', windowAt('minute', now()))]).toBe(LIMIT);
  });

  test('the tokens of concurrent requests through two clients never pass tokens_per_minute', async () => {
    const now = () => Date.parse('2026-11-27T10:00:10Z');
    const limiters = [0, 1].map(() => createLimiter({ now, table: dynaliteTable(dynaliteServer.url) }));
    // 1000 tokens hold 7 requests of 140; a rule on requests too, whose reservations refused requests release.
    const document = parseLimitsDocument({ rules: [{ name: 'race-tokens', tokens_per_minute: 1000, requests_per_minute: 1000 }] }, 'test');

    expect(await race(limiters, document, 140)).toEqual({ passed: 7, refused: CONCURRENT - 7 });

    const reader = dynaliteTable(dynaliteServer.url);
    const window = windowAt('minute', now());
    const item = await reader.get(counterKey('race-tokens', SHARED_SCOPE), { consistent: true });
    expect(item?.values[counterAttribute('tokens_per_minute', window)]).toBe(980);
    expect(item?.values[counterAttribute('requests_per_minute', window)]).toBe(7);
  });

  test(`${CONCURRENT} requests against the in-process table pass exactly ${LIMIT} times`, async () => {
    // One instant for the limiters and the table (which expires items by its clock): requests
    // either side of a minute's end would count in two windows.
    const at = Date.now();
    const now = () => at;
    const table = createMemoryGatewayTable({ now });
    const limiters = [createLimiter({ table, now }), createLimiter({ table, now })];
    const document = parseLimitsDocument({ rules: [{ name: 'race-memory', requests_per_minute: LIMIT }] }, 'test');
    expect(await race(limiters, document, 1)).toEqual({ passed: LIMIT, refused: CONCURRENT - LIMIT });
  });
});
