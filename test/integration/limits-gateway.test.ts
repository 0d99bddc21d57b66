/**
 * Limits through the real handler (issue 13), counters in dynalite through the real SDK client:
 * rules by principal (API Gateway events carrying `requestContext.identity`), per caller and
 * shared, virtual-key budgets, window roll-over on an injected clock, the first byte held until
 * the reservation answers and the upstream cancelled on refusal, settlement with the actual use,
 * a cache hit counting a request and no tokens, and the `x-ratelimit-*` headers on every answer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { counterAttribute, counterKey, SHARED_SCOPE } from '../../lib/limits/applicable-counters.ts';
import { windowAt } from '../../lib/limits/limit-windows.ts';
import type { MeasureName } from '../../lib/limits/measures.ts';
import { dynaliteTable } from './limits-table.ts';
import type { GatewayTable } from '../../lib/store/gateway-table.ts';
import type { CompletionPart } from '../../lib/providers/provider.ts';
import type { TargetMiddleware } from '../../lib/routing/target-middleware.ts';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION, openAIChunk } from '../fakes/openai-samples.ts';
import { limitedGateway, roleSession } from './limits-handler.ts';
import { type Dynalite, startDynalite, TEST_TABLE } from '../support/dynalite.ts';

let dynalite: Dynalite;
let upstream: FakeUpstream;
let table: GatewayTable;

beforeAll(async () => {
  dynalite = await startDynalite();
  upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
  table = dynaliteTable(dynalite.url);
});
afterAll(async () => {
  await upstream.close();
  await dynalite.close();
});

const NOW = Date.parse('2026-11-27T10:00:10Z');
const direct = () => ({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1`, authorization: 'Bearer sk-test' });
const PROMPT = { model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 };

async function used(rule: string, scope: string, measure: MeasureName, nowMs = NOW): Promise<number | undefined> {
  const window = windowAt(measure.startsWith('requests_per_minute') || measure.startsWith('tokens_per_minute') ? 'minute' : measure.endsWith('month') ? 'month' : 'day', nowMs);
  const item = await table.get(counterKey(rule, scope), { consistent: true });
  return item?.values[counterAttribute(measure, window)] as number | undefined;
}

describe('rules by principal', () => {
  test('a per-caller rule counts each role apart, all its sessions as one, and leaves other callers alone', async () => {
    const gateway = limitedGateway(
      { limits: { rules: [{ name: 'team-a', principals: ['arn:aws:iam::123456789012:role/team-a-*'], per: 'caller', requests_per_minute: 2 }] } },
      { table, now: () => NOW },
    );
    const send = (identity: ReturnType<typeof roleSession>) => gateway.send(PROMPT, { identity, headers: direct() });

    expect((await send(roleSession('team-a-web', 's1'))).status).toBe(200);
    const second = await send(roleSession('team-a-web', 's2'));
    expect(second.status).toBe(200);
    expect(second.headers).toMatchObject({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '50s' });

    // A fresh session name is the same role: no fresh budget.
    const refused = await send(roleSession('team-a-web', 's3'));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('50');
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(refused.json().error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(refused.json().error!.message).toContain('rule "team-a" allows 2 requests per minute');
    expect(refused.json().error!.message).toContain('resets at 2026-11-27T10:01:00.000Z');

    // Another role the rule matches has its own counter; a role it does not match is not limited.
    expect((await send(roleSession('team-a-batch'))).status).toBe(200);
    for (let index = 0; index < 3; index++) {
      const other = await send(roleSession('team-b'));
      expect(other.status).toBe(200);
      expect(other.headers['x-ratelimit-limit-requests']).toBeUndefined();
    }
    expect(await used('team-a', 'arn:aws:iam::123456789012:role/team-a-web', 'requests_per_minute')).toBe(2);
    expect(await used('team-a', 'arn:aws:iam::123456789012:role/team-a-batch', 'requests_per_minute')).toBe(1);
  });

  test('a shared rule counts every caller it matches on one counter', async () => {
    const gateway = limitedGateway({ limits: { rules: [{ name: 'account-shared', principals: ['123456789012'], requests_per_minute: 3 }] } }, { table, now: () => NOW });
    const statuses = [];
    for (const role of ['one', 'two', 'one', 'two']) statuses.push((await gateway.send(PROMPT, { identity: roleSession(role), headers: direct() })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await used('account-shared', SHARED_SCOPE, 'requests_per_minute')).toBe(3);
  });

  test('rolls over to a fresh window when the minute ends (injected clock)', async () => {
    let now = Date.parse('2026-11-27T11:00:59.900Z');
    const gateway = limitedGateway({ limits: { rules: [{ name: 'rollover', requests_per_minute: 1 }] } }, { table, now: () => now });
    expect((await gateway.send(PROMPT, { headers: direct() })).status).toBe(200);
    const refused = await gateway.send(PROMPT, { headers: direct() });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    now = Date.parse('2026-11-27T11:01:00.050Z');
    const next = await gateway.send(PROMPT, { headers: direct() });
    expect(next.status).toBe(200);
    expect(next.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(await used('rollover', SHARED_SCOPE, 'requests_per_minute', now)).toBe(1);
  });
});

describe('virtual-key rules and settlement', () => {
  test('a virtual-key budget settles each answer at its reported tokens, then refuses with insufficient_quota and x-should-retry: false', async () => {
    const gateway = limitedGateway(
      {
        virtual_keys: { 'vk-budget': { provider: 'openai', api_key: 'sk-stored', custom_host: `${upstream.url}/v1` } },
        limits: { rules: [{ name: 'vk-budget-day', virtual_keys: ['vk-budget'], tokens_per_day: 20 }] },
      },
      { table, now: () => NOW },
    );
    const viaKey = { 'x-portkey-virtual-key': 'vk-budget' };
    // Each reserves 1 (prompt) + 5 (max_tokens); the upstream reports 12 used.
    const first = await gateway.send(PROMPT, { headers: viaKey });
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '20', 'x-ratelimit-remaining-tokens': '14' });
    expect(await used('vk-budget-day', SHARED_SCOPE, 'tokens_per_day')).toBe(12);
    expect((await gateway.send(PROMPT, { headers: viaKey })).status).toBe(200);
    expect(await used('vk-budget-day', SHARED_SCOPE, 'tokens_per_day')).toBe(24);

    const refused = await gateway.send(PROMPT, { headers: viaKey });
    expect(refused.status).toBe(429);
    expect(refused.headers['x-should-retry']).toBe('false');
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(refused.json().error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refused.json().error!.message).toContain('rule "vk-budget-day" allows 20 tokens per day');
    expect(refused.json().error!.message).toContain('It resets at 2026-11-28T00:00:00.000Z');

    // The same provider without that virtual key is not under its rule.
    expect((await gateway.send(PROMPT, { headers: direct() })).status).toBe(200);
  });

  test('a stream settles at its end with the usage its last chunk reports', async () => {
    const gateway = limitedGateway({ limits: { rules: [{ name: 'stream-tokens', tokens_per_minute: 1000 }] } }, { table, now: () => NOW });
    upstream.enqueue(
      sse([openAIChunk('This', null), openAIChunk(' is', 'stop'), { ...openAIChunk('', null), choices: [], usage: { prompt_tokens: 4, completion_tokens: 30, total_tokens: 34 } }]),
    );
    const answer = await gateway.send({ ...PROMPT, stream: true, stream_options: { include_usage: true } }, { headers: direct() });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('data: [DONE]');
    // Reserved 1 + 5 while the first byte was held; corrected to the 34 reported.
    expect(answer.headers['x-ratelimit-remaining-tokens']).toBe('994');
    expect(await used('stream-tokens', SHARED_SCOPE, 'tokens_per_minute')).toBe(34);
  });

  test('a cache hit (a result with cached: true) counts a request and no tokens', async () => {
    const cacheHit: TargetMiddleware = () => async () => ({ kind: 'response', part: { ...OPENAI_COMPLETION } as CompletionPart, warnings: [], cached: true });
    const gateway = limitedGateway({ limits: { rules: [{ name: 'cache-counted', requests_per_minute: 10, tokens_per_minute: 100 }] } }, { table, now: () => NOW, inner: [cacheHit] });
    const received = upstream.received.length;
    const answer = await gateway.send(PROMPT, { headers: direct() });
    expect(answer.status).toBe(200);
    expect(upstream.received.length).toBe(received);
    expect(await used('cache-counted', SHARED_SCOPE, 'requests_per_minute')).toBe(1);
    expect(await used('cache-counted', SHARED_SCOPE, 'tokens_per_minute')).toBe(0);
  });

  test('a failed upstream call gives its reservation back, and its answer still carries the headers', async () => {
    const gateway = limitedGateway({ limits: { rules: [{ name: 'released', requests_per_minute: 5 }] } }, { table, now: () => NOW });
    upstream.enqueue(json(400, { error: { message: 'bad', type: 'invalid_request_error' } }));
    const answer = await gateway.send(PROMPT, { headers: direct() });
    expect(answer.status).toBe(400);
    expect(answer.headers['x-ratelimit-limit-requests']).toBe('5');
    expect(await used('released', SHARED_SCOPE, 'requests_per_minute')).toBe(0);
  });
});

describe('the reservation beside the upstream call', () => {
  test('a refusal cancels the upstream call already under way', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<string>((resolve) => (closed = () => resolve('closed')));
    const gateway = limitedGateway({ limits: { rules: [{ name: 'cancel', requests_per_minute: 1 }] } }, { table, now: () => Date.parse('2026-11-27T12:00:10Z') });
    expect((await gateway.send(PROMPT, { headers: direct() })).status).toBe(200);
    const received = upstream.received.length;
    upstream.enqueue((_request, _response, raw) => {
      // Never answers: only the gateway closing the connection ends it.
      raw.socket.once('close', closed);
    });
    const refused = await gateway.send(PROMPT, { headers: direct() });
    expect(refused.status).toBe(429);
    // It was sent (alongside the reservation), then torn down by the refusal.
    await expect(Promise.race([upstreamClosed, new Promise((resolve) => setTimeout(resolve, 5_000, 'still open'))])).resolves.toBe('closed');
    expect(upstream.received.length).toBe(received + 1);
  });

  test('holds the first byte until the reservation answers, and serves the answer the upstream gave', async () => {
    const gateway = limitedGateway({ limits: { rules: [{ name: 'held', requests_per_minute: 100 }] } }, { table, now: () => NOW });
    const answer = await gateway.send(PROMPT, { headers: direct() });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ choices: [{ text: OPENAI_COMPLETION.choices[0]!.text }] });
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('99');
  });

  test('every answer carries the headers of the tightest rule', async () => {
    const gateway = limitedGateway(
      { limits: { rules: [{ name: 'loose', requests_per_minute: 100, tokens_per_minute: 50 }, { name: 'tight', requests_per_minute: 4, tokens_per_day: 10_000 }] } },
      { table, now: () => NOW },
    );
    const answer = await gateway.send(PROMPT, { headers: direct() });
    expect(answer.headers).toMatchObject({
      'x-ratelimit-limit-requests': '4',
      'x-ratelimit-remaining-requests': '3',
      'x-ratelimit-reset-requests': '50s',
      'x-ratelimit-limit-tokens': '50',
      'x-ratelimit-remaining-tokens': '44',
    });
  });
});
