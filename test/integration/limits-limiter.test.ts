/**
 * The limiter against both stores it runs on: dynalite (a real DynamoDB API on loopback, through the
 * real SDK) and the in-process table. Time is an injected clock, so windows roll over on demand.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { GatewayError } from '../../lib/api/errors.ts';
import type { LimitSubject } from '../../lib/limits/applicable-counters.ts';
import { counterAttribute, counterKey } from '../../lib/limits/applicable-counters.ts';
import { createLimiter, type Limiter, type LimitUsage } from '../../lib/limits/create-limiter.ts';
import { InsufficientQuotaError, RateLimitExceededError } from '../../lib/limits/limit-errors.ts';
import { windowAt } from '../../lib/limits/limit-windows.ts';
import { type LimitRule, parseLimitsDocument } from '../../lib/limits/limits-document.ts';
import type { MeasureName } from '../../lib/limits/measures.ts';
import { dynaliteTable } from './limits-table.ts';
import type { GatewayTable } from '../../lib/store/gateway-table.ts';
import { createMemoryGatewayTable } from '../../lib/store/memory-gateway-table.ts';
import { type Dynalite, startDynalite, TEST_TABLE } from '../support/dynalite.ts';

let dynaliteServer: Dynalite;
beforeAll(async () => {
  dynaliteServer = await startDynalite();
});
afterAll(() => dynaliteServer.close());

const backends: Array<[string, (now: () => number) => GatewayTable]> = [
  ['dynalite', () => dynaliteTable(dynaliteServer.url)],
  ['in-process', (now) => createMemoryGatewayTable({ now })],
];

const START = Date.parse('2026-11-27T10:00:30.000Z');
const TEAM_A = { userArn: 'arn:aws:sts::123456789012:assumed-role/team-a-app/session-1', accountId: '123456789012' };
const TEAM_A_OTHER_SESSION = { userArn: 'arn:aws:sts::123456789012:assumed-role/team-a-app/session-2', accountId: '123456789012' };
const TEAM_B = { userArn: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012' };
const PARTNER = { userArn: 'arn:aws:iam::210987654321:user/carol', accountId: '210987654321' };
const SMALL: LimitUsage = { tokens: 10, costUsd: 0.001 };

/** Rule names are unique per test, so tests sharing one dynalite table never share a counter. */
let testNumber = 0;

describe.each(backends)('the limiter on %s', (_name, createTable) => {
  let nowMs: number;
  let table: GatewayTable;
  let limiter: Limiter;
  let prefix: string;

  beforeEach(() => {
    nowMs = START;
    testNumber += 1;
    prefix = `t${testNumber}-${_name}`;
    table = createTable(() => nowMs);
    limiter = createLimiter({ table, now: () => nowMs });
  });

  const documentOf = (...rules: LimitRule[]) =>
    parseLimitsDocument({ rules: rules.map((rule) => ({ ...rule, name: `${prefix}-${rule.name}` })) }, 'test/limits');
  const reserve = (document: ReturnType<typeof documentOf>, subject: LimitSubject, usage: LimitUsage = SMALL) => limiter.reserve(document, subject, usage);
  const refusalOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => error as GatewayError & { headers: Record<string, string> },
    );
  async function used(rule: string, scope: string, measure: MeasureName): Promise<unknown> {
    const item = await table.get(counterKey(`${prefix}-${rule}`, scope), { consistent: true });
    return item?.values[counterAttribute(measure, windowAt(measure.endsWith('minute') ? 'minute' : 'day', nowMs))];
  }

  test('refuses the request past requests_per_minute with a 429 rate_limit_exceeded and retry-after', async () => {
    const document = documentOf({ name: 'rpm', requests_per_minute: 3 });
    const remaining: string[] = [];
    for (let index = 0; index < 3; index++) remaining.push((await reserve(document, { caller: TEAM_A })).headers['x-ratelimit-remaining-requests']!);
    expect(remaining).toEqual(['2', '1', '0']);

    const refusal = await refusalOf(reserve(document, { caller: TEAM_A }));
    expect(refusal).toBeInstanceOf(RateLimitExceededError);
    expect(refusal.statusCode).toBe(429);
    expect(refusal.toOpenAIError().error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    expect(refusal.message).toContain(`"${prefix}-rpm"`);
    expect(refusal.message).toContain('requests per minute');
    expect(refusal.message).toContain('2026-11-27T10:01:00.000Z');
    expect(refusal.headers).toMatchObject({ 'retry-after': '30', 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '30s' });
    expect(refusal.headers['x-should-retry']).toBeUndefined();
  });

  test('rolls a minute over into a fresh window, but not a day budget', async () => {
    const document = documentOf({ name: 'roll', requests_per_minute: 1, requests_per_day: 2 });
    await reserve(document, { caller: TEAM_A });
    await expect(reserve(document, { caller: TEAM_A })).rejects.toBeInstanceOf(RateLimitExceededError);

    nowMs += 30_000; // 10:01:00, a new minute
    await reserve(document, { caller: TEAM_A });
    nowMs += 60_000;
    const budget = await refusalOf(reserve(document, { caller: TEAM_A }));
    expect(budget).toBeInstanceOf(InsufficientQuotaError);
    expect(budget.toOpenAIError().error).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(budget.headers['x-should-retry']).toBe('false');
    expect(budget.headers['retry-after']).toBeUndefined();
    expect(budget.message).toContain('requests per day');
    expect(budget.message).toContain('2026-11-28T00:00:00.000Z');

    nowMs = Date.parse('2026-11-28T00:00:00.000Z');
    await expect(reserve(document, { caller: TEAM_A })).resolves.toBeDefined();
  });

  test('keeps a rule in one item whose past windows are removed as it is written', async () => {
    const document = documentOf({ name: 'item', per: 'caller', requests_per_minute: 100, tokens_per_minute: 1_000, requests_per_day: 1_000 });
    const scope = 'arn:aws:iam::123456789012:role/team-a-app';
    for (let minute = 0; minute < 4; minute++) {
      const reservation = await reserve(document, { caller: TEAM_A });
      await reservation.settle({ tokens: 4, costUsd: 0 });
      nowMs += 60_000;
    }
    const item = await table.get(counterKey(`${prefix}-item`, scope), { consistent: true });
    // 10:00 and 10:01 are gone: the last minute (10:03) and the one before it are kept, beside the day.
    expect(Object.keys(item!.values).sort()).toEqual(['requests_per_day#2026-11-27', 'requests_per_minute#2026-11-27T10:02Z', 'requests_per_minute#2026-11-27T10:03Z', 'tokens_per_minute#2026-11-27T10:02Z', 'tokens_per_minute#2026-11-27T10:03Z']);
    expect(item!.values['requests_per_day#2026-11-27']).toBe(4);
    expect(item!.values['tokens_per_minute#2026-11-27T10:03Z']).toBe(4);
    expect(item!.ttl).toBe(Date.parse('2026-11-28T00:00:00Z') / 1_000 + 3_600);
  });

  test('keeps one counter per caller with per: "caller", the sessions of one role being one caller', async () => {
    const document = documentOf({ name: 'per-caller', per: 'caller', requests_per_minute: 1 });
    await reserve(document, { caller: TEAM_A });
    await expect(reserve(document, { caller: TEAM_A_OTHER_SESSION })).rejects.toBeInstanceOf(RateLimitExceededError);
    await expect(reserve(document, { caller: TEAM_B })).resolves.toBeDefined();
    expect(await used('per-caller', 'arn:aws:iam::123456789012:role/team-a-app', 'requests_per_minute')).toBe(1);
  });

  test('shares one counter among the callers of a rule without per', async () => {
    const document = documentOf({ name: 'shared', requests_per_minute: 2 });
    await reserve(document, { caller: TEAM_A });
    await reserve(document, { caller: TEAM_B });
    await expect(reserve(document, { caller: PARTNER })).rejects.toBeInstanceOf(RateLimitExceededError);
    expect(await used('shared', '*', 'requests_per_minute')).toBe(2);
  });

  test('applies a virtual-key rule to its keys only (exact or with *)', async () => {
    const document = documentOf({ name: 'vk', virtual_keys: ['openai-prod', 'anthropic-*'], requests_per_minute: 1 });
    await reserve(document, { caller: TEAM_A, virtualKey: 'openai-prod' });
    await expect(reserve(document, { caller: TEAM_B, virtualKey: 'openai-prod' })).rejects.toBeInstanceOf(RateLimitExceededError);
    await expect(reserve(document, { caller: TEAM_B, virtualKey: 'anthropic-eu' })).rejects.toBeInstanceOf(RateLimitExceededError);
    const other = await reserve(document, { caller: TEAM_A, virtualKey: 'openai-dev' });
    const none = await reserve(document, { caller: TEAM_A });
    expect(other.headers).toEqual({});
    expect(none.headers).toEqual({});
  });

  test('applies a rule by principal: ARN pattern (a role admits its sessions) or account id', async () => {
    const document = documentOf(
      { name: 'team-a', principals: ['arn:aws:iam::123456789012:role/team-a-*'], requests_per_minute: 1 },
      { name: 'partner', principals: ['210987654321'], requests_per_minute: 1 },
    );
    await reserve(document, { caller: TEAM_A });
    await expect(reserve(document, { caller: TEAM_A_OTHER_SESSION })).rejects.toBeInstanceOf(RateLimitExceededError);
    await reserve(document, { caller: PARTNER });
    await expect(reserve(document, { caller: PARTNER })).rejects.toThrow(`"${prefix}-partner"`);
    // Neither rule names bob, nor a caller without an identity (a local run).
    for (let index = 0; index < 3; index++) expect((await reserve(document, { caller: TEAM_B })).headers).toEqual({});
    expect((await reserve(document, { caller: {} })).headers).toEqual({});
  });

  test('reserves estimated tokens, refuses what does not fit, and settles to the actual tokens', async () => {
    const document = documentOf({ name: 'tpm', tokens_per_minute: 1000 });
    const first = await reserve(document, { caller: TEAM_A }, { tokens: 600, costUsd: null });
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '400' });
    const refusal = await refusalOf(reserve(document, { caller: TEAM_A }, { tokens: 600, costUsd: null }));
    expect(refusal.toOpenAIError().error).toMatchObject({ code: 'rate_limit_exceeded', type: 'tokens' });
    expect(refusal.message).toContain('used 600, this request needs 600');

    await first.settle({ tokens: 100, costUsd: null });
    expect(await used('tpm', '*', 'tokens_per_minute')).toBe(100);
    const second = await reserve(document, { caller: TEAM_A }, { tokens: 600, costUsd: null });
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe('300');
  });

  test('refuses a request larger than a whole minute\'s tokens without inviting a retry', async () => {
    const document = documentOf({ name: 'too-large', tokens_per_minute: 1000 });
    const refusal = await refusalOf(reserve(document, { caller: TEAM_A }, { tokens: 1001, costUsd: null }));
    expect(refusal).toBeInstanceOf(RateLimitExceededError);
    expect(refusal.toOpenAIError().error).toMatchObject({ code: 'rate_limit_exceeded', type: 'tokens' });
    expect(refusal.message).toMatch(/^Request too large: rule ".*-too-large" allows 1000 tokens per minute/);
    expect(refusal.headers['x-should-retry']).toBe('false');
    expect(refusal.headers['retry-after']).toBeUndefined();
    // A request that fits an empty window is an ordinary rate refusal when the window is full.
    await reserve(document, { caller: TEAM_A }, { tokens: 1000, costUsd: null });
    expect((await refusalOf(reserve(document, { caller: TEAM_A }, { tokens: 1, costUsd: null }))).headers['retry-after']).toBe('30');
  });

  test('a refused reservation releases those already made', async () => {
    const document = documentOf({ name: 'wide', requests_per_minute: 10, tokens_per_minute: 10_000 }, { name: 'narrow', requests_per_minute: 1 });
    await reserve(document, { caller: TEAM_A }, { tokens: 100, costUsd: null });
    await expect(reserve(document, { caller: TEAM_A }, { tokens: 100, costUsd: null })).rejects.toThrow(`"${prefix}-narrow"`);
    expect(await used('wide', '*', 'requests_per_minute')).toBe(1);
    expect(await used('wide', '*', 'tokens_per_minute')).toBe(100);
  });

  test('refuses a cost budget with insufficient_quota and corrects it to the actual cost', async () => {
    const document = documentOf({ name: 'cost', per: 'caller', cost_usd_per_day: 1 });
    const first = await reserve(document, { caller: TEAM_A }, { tokens: 1000, costUsd: 0.6 });
    const refusal = await refusalOf(reserve(document, { caller: TEAM_A }, { tokens: 1000, costUsd: 0.6 }));
    expect(refusal).toBeInstanceOf(InsufficientQuotaError);
    expect(refusal.message).toContain('USD of cost per day');
    await first.settle({ tokens: 900, costUsd: 0.1 });
    await expect(reserve(document, { caller: TEAM_A }, { tokens: 1000, costUsd: 0.6 })).resolves.toBeDefined();
  });

  test('counts a cache hit as a request and no tokens', async () => {
    const document = documentOf({ name: 'hit', requests_per_minute: 10, tokens_per_minute: 1000 });
    const reservation = await reserve(document, { caller: TEAM_A }, { tokens: 500, costUsd: 0.01 });
    await reservation.settle({ tokens: 0, costUsd: 0 });
    await reservation.settle({ tokens: 400, costUsd: 0 }); // once only
    expect(await used('hit', '*', 'requests_per_minute')).toBe(1);
    expect(await used('hit', '*', 'tokens_per_minute')).toBe(0);
  });

  test('release gives back the request and its tokens', async () => {
    const document = documentOf({ name: 'release', requests_per_minute: 1, tokens_per_minute: 1000 });
    const reservation = await reserve(document, { caller: TEAM_A }, { tokens: 500, costUsd: null });
    await reservation.release();
    expect(await used('release', '*', 'requests_per_minute')).toBe(0);
    await expect(reserve(document, { caller: TEAM_A })).resolves.toBeDefined();
  });

  test('answers with the headers of the tightest rule', async () => {
    const document = documentOf({ name: 'loose', requests_per_minute: 100, tokens_per_minute: 500 }, { name: 'tight', requests_per_day: 5, tokens_per_minute: 100_000 });
    const { headers } = await reserve(document, { caller: TEAM_A }, { tokens: 50, costUsd: null });
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '4',
      'x-ratelimit-reset-requests': '13h59m30s',
      'x-ratelimit-limit-tokens': '500',
      'x-ratelimit-remaining-tokens': '450',
      'x-ratelimit-reset-tokens': '30s',
    });
  });
});
