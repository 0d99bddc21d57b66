/** Load balancing and conditional routing through the real handler on loopback. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream, type Responder } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

const answerFrom = (name: string): Responder =>
  json(200, {
    id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
    object: 'text_completion',
    created: 1589478378,
    model: 'gpt-3.5-turbo-instruct',
    choices: [{ text: name, index: 0, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });

describe('load balancing and conditional routing through the local gateway', () => {
  let gateway: RunningGateway;
  const upstreams: Record<'a' | 'b' | 'c', FakeUpstream> = {} as never;

  beforeAll(async () => {
    const [a, b, c, started] = await Promise.all([
      startFakeUpstream(answerFrom('a')),
      startFakeUpstream(answerFrom('b')),
      startFakeUpstream(answerFrom('c')),
      startGateway(),
    ]);
    Object.assign(upstreams, { a, b, c });
    gateway = started;
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), ...Object.values(upstreams).map((upstream) => upstream.close())]);
  });
  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) upstream.received.length = 0;
  });

  const host = (name: 'a' | 'b' | 'c') => `${upstreams[name].url}/v1`;

  async function complete(config: unknown, options: { metadata?: unknown; body?: Record<string, unknown> } = {}) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-caller-key',
        'x-portkey-provider': 'openai',
        'x-portkey-config': JSON.stringify(config),
        ...(options.metadata ? { 'x-portkey-metadata': JSON.stringify(options.metadata) } : {}),
      },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', ...options.body }),
    });
    const body = (await response.json()) as Record<string, any>;
    return { response, body, answeredBy: body.choices?.[0]?.text as string | undefined };
  }

  it('spreads requests by weight, never to a weight of 0', async () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        { custom_host: host('a'), weight: 3 },
        { custom_host: host('b') },
        { custom_host: host('c'), weight: 0 },
      ],
    };
    const requests = 200;
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const indexes = new Set<string>();
    for (let batch = 0; batch < requests / 10; batch++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => complete(config)));
      for (const { answeredBy, response } of results) {
        counts[answeredBy!]!++;
        indexes.add(response.headers.get('x-portkey-last-used-option-index')!);
      }
    }
    // Expected 150 : 50 : 0. With p = 0.75 over 200 draws, sd ≈ 6.1 requests: ±30 is about 5 sd.
    expect(counts.c).toBe(0);
    expect(counts.a! + counts.b!).toBe(requests);
    expect(Math.abs(counts.a! - 150)).toBeLessThanOrEqual(30);
    expect([...indexes].sort()).toEqual(['config.targets[0]', 'config.targets[1]']);
  });

  const conditional = () => ({
    strategy: {
      mode: 'conditional',
      conditions: [
        { query: { 'metadata.plan': { $eq: 'pro' } }, then: 'premium' },
        { query: { $or: [{ 'params.max_tokens': { $gt: 1000 } }, { 'params.model': { $regex: '^big-' } }] }, then: 'large' },
      ],
      default: 'basic' as string | undefined,
    },
    targets: [
      { name: 'basic', custom_host: host('a') },
      { name: 'premium', custom_host: host('b') },
      { name: 'large', custom_host: host('c') },
    ],
  });

  it('routes on metadata from x-portkey-metadata', async () => {
    const pro = await complete(conditional(), { metadata: { plan: 'pro', user: 'u-1' } });
    expect(pro.answeredBy).toBe('b');
    expect(pro.response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    const free = await complete(conditional(), { metadata: { plan: 'free' } });
    expect(free.answeredBy).toBe('a');
    const none = await complete(conditional());
    expect(none.answeredBy).toBe('a');
  });

  it('routes on the request parameters', async () => {
    expect((await complete(conditional(), { body: { max_tokens: 2000 } })).answeredBy).toBe('c');
    expect((await complete(conditional(), { body: { model: 'big-model' } })).answeredBy).toBe('c');
    expect((await complete(conditional(), { body: { max_tokens: 20 } })).answeredBy).toBe('a');
  });

  it('answers 400 when no condition matches and there is no default', async () => {
    const { response, body } = await complete({ ...conditional(), strategy: { ...conditional().strategy, default: undefined } }, { metadata: { plan: 'free' } });
    expect(response.status).toBe(400);
    expect(body.error).toMatchObject({ code: 'no_matching_condition', param: 'x-portkey-config' });
  });

  it('refuses x-portkey-metadata that is not a JSON object', async () => {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-provider': 'openai', 'x-portkey-metadata': 'plan=pro' },
      body: JSON.stringify({ model: 'm', prompt: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.param).toBe('x-portkey-metadata');
  });

  it('nests a load balancer inside a conditional branch', async () => {
    const config = {
      strategy: { mode: 'conditional', conditions: [{ query: { 'metadata.plan': 'pro' }, then: 'pool' }], default: 'solo' },
      targets: [
        { name: 'solo', custom_host: host('a') },
        { name: 'pool', strategy: { mode: 'loadbalance' }, targets: [{ custom_host: host('b'), weight: 0 }, { custom_host: host('c'), weight: 1 }] },
      ],
    };
    const { answeredBy, response } = await complete(config, { metadata: { plan: 'pro' } });
    expect(answeredBy).toBe('c');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1].targets[1]');
  });
});
