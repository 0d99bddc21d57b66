/**
 * The router with its injection points (randomness, sleeping, a key store) against a scripted
 * upstream on loopback: what is tried, what is waited, and that the caller's abort stops it all.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../../test/fakes/fake-upstream.ts';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { AuthenticationError, GatewayError } from '../api/errors.ts';
import { createCustomHostGuard } from '../config/custom-host-guard.ts';
import { parseConfig } from '../config/parse-config.ts';
import type { KeyStore } from '../keys/key-store.ts';
import { planRoute } from './plan-route.ts';
import { routeCompletion as routeResult, type RouteContext } from './route-completion.ts';
import { createRouteOutcome, lastAttempt } from './route-outcome.ts';
import { routingOptionsFromEnv } from './routing-options.ts';

const ANSWER = {
  id: 'cmpl-1',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};
const customHostGuard = createCustomHostGuard('loopback', { defaultAllowed: '' });
const params = parseCompletionRequest({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' });

describe('routeCompletion', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let sleeps: number[];

  beforeAll(async () => {
    [a, b] = await Promise.all([startFakeUpstream(json(200, ANSWER)), startFakeUpstream(json(200, ANSWER))]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });
  beforeEach(() => {
    a.received.length = 0;
    b.received.length = 0;
    sleeps = [];
  });

  function context(overrides: Partial<RouteContext> = {}): RouteContext {
    return {
      headers: {},
      customHostGuard,
      caller: {},
      metadata: {},
      options: {
        ...routingOptionsFromEnv({}),
        random: () => 0.5,
        sleep: async (milliseconds) => {
          sleeps.push(milliseconds);
        },
      },
      ...overrides,
    };
  }
  const route = (config: unknown, defaults = { api_key: 'sk-caller' }) => planRoute(parseConfig(config, { customHostGuard }), defaults);
  /** Routes, and reads the answering target's facts from the route outcome. */
  async function routeCompletion(node: ReturnType<typeof route>, requestParams: typeof params, routeContext: RouteContext) {
    const outcome = routeContext.outcome ?? createRouteOutcome();
    const result = await routeResult(node, requestParams, { ...routeContext, outcome });
    const last = lastAttempt(outcome)!;
    return { result, lastUsedOptionIndex: last.path, retryAttemptCount: last.retries, provider: last.provider };
  }

  it('load balances with the injected random source', async () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        { provider: 'openai', custom_host: `${a.url}/v1`, weight: 1 },
        { provider: 'openai', custom_host: `${b.url}/v1`, weight: 1 },
      ],
    };
    const low = await routeCompletion(route(config), params, context({ options: { ...context().options, random: () => 0.1 } }));
    const high = await routeCompletion(route(config), params, context({ options: { ...context().options, random: () => 0.9 } }));
    expect([low.lastUsedOptionIndex, high.lastUsedOptionIndex]).toEqual(['config.targets[0]', 'config.targets[1]']);
    expect([a.received.length, b.received.length]).toEqual([1, 1]);
  });

  it('reads targets without a strategy as single: the first target', async () => {
    const config = { targets: [{ provider: 'openai', custom_host: `${a.url}/v1` }, { provider: 'openai', custom_host: `${b.url}/v1` }] };
    const routed = await routeCompletion(route(config), params, context());
    expect(routed.lastUsedOptionIndex).toBe('config.targets[0]');
    expect([a.received.length, b.received.length]).toEqual([1, 0]);
  });

  it('sleeps the jittered backoff between retries through the injected sleep', async () => {
    a.enqueue(json(500, {}), json(500, {}), json(500, {}));
    const outcome = createRouteOutcome();
    const routed = await routeCompletion(route({ provider: 'openai', custom_host: `${a.url}/v1`, retry: { attempts: 3 } }), params, context({ outcome }));
    expect(routed.retryAttemptCount).toBe(3);
    // random 0.5 of ceilings 250, 500, 1000 ms (GATEWAY_RETRY_BASE_DELAY_MS default 250).
    expect(sleeps).toEqual([125, 250, 500]);
    expect(outcome.attempts).toEqual([expect.objectContaining({ retries: 3, path: 'config', provider: 'openai' })]);
  });

  it('stops at once when the caller aborts during a retry wait', async () => {
    a.enqueue(json(503, {}));
    const controller = new AbortController();
    const options = {
      ...context().options,
      sleep: (milliseconds: number, signal?: AbortSignal) => {
        controller.abort(new Error('caller disconnected'));
        return routingOptionsFromEnv({}).sleep(milliseconds + 60_000, signal);
      },
    };
    const started = Date.now();
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { provider: 'openai', custom_host: `${a.url}/v1`, retry: { attempts: 3 } },
        { provider: 'openai', custom_host: `${b.url}/v1` },
      ],
    };
    await expect(routeCompletion(route(config), params, context({ signal: controller.signal, options }))).rejects.toThrow('caller disconnected');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(0);
  });

  it('aborts the upstream request when the caller aborts while waiting for headers', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    a.enqueue((_request, _response, raw) => {
      raw.socket.once('close', () => closed());
    });
    const controller = new AbortController();
    const pending = routeCompletion(route({ provider: 'openai', custom_host: `${a.url}/v1` }), params, context({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('caller disconnected')), 100);
    await expect(pending).rejects.toThrow('caller disconnected');
    await expect(Promise.race([upstreamClosed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'open'))])).resolves.toBe('closed');
  });

  it('reads a virtual key only for the targets actually tried', async () => {
    const asked: string[] = [];
    const keyStore: KeyStore = {
      async getVirtualKey(name) {
        asked.push(name);
        if (name === 'vk-missing') throw new AuthenticationError('Unknown virtual key.', { statusCode: 404 });
        // A stored credential goes only to the host its secret names (lib/keys/resolve-target-keys.ts).
        return { provider: 'openai', api_key: `sk-stored-${name}`, custom_host: `${name === 'vk-primary' ? a.url : b.url}/v1` };
      },
      getConfig: async () => ({}),
    };
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'vk-primary' },
        { virtual_key: 'vk-backup' },
      ],
    };
    await routeCompletion(route(config), params, context({ keyStore }));
    expect(asked).toEqual(['vk-primary']);
    expect(a.received[0]!.headers.authorization).toBe('Bearer sk-stored-vk-primary');
  });

  it('falls back past a key store outage (5xx) and past an unknown virtual key (404): a target\'s own failure', async () => {
    const keyStore: KeyStore = {
      async getVirtualKey(name) {
        if (name === 'vk-outage') throw new GatewayError('Secrets Manager is unavailable.', { statusCode: 503, type: 'api_error' });
        if (name === 'vk-missing') throw new AuthenticationError('Unknown virtual key.', { statusCode: 404 });
        return { provider: 'openai', api_key: 'sk-stored', custom_host: `${b.url}/v1` };
      },
      getConfig: async () => ({}),
    };
    const config = (first: string) => ({ strategy: { mode: 'fallback' }, targets: [{ virtual_key: first }, { virtual_key: 'vk-backup' }] });
    const routed = await routeCompletion(route(config('vk-outage')), params, context({ keyStore }));
    expect(routed.lastUsedOptionIndex).toBe('config.targets[1]');
    const past404 = await routeCompletion(route(config('vk-missing')), params, context({ keyStore }));
    expect(past404.lastUsedOptionIndex).toBe('config.targets[1]');
    expect(b.received).toHaveLength(2);
    // Alone, an unknown virtual key is still answered as what it is.
    await expect(routeCompletion(route({ virtual_key: 'vk-missing' }), params, context({ keyStore }))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers a request-level 400 at once instead of falling back', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { provider: 'openai', custom_host: `${a.url}/v1`, override_params: { temperature: 9 } },
        { provider: 'openai', custom_host: `${b.url}/v1` },
      ],
    };
    await expect(routeCompletion(route(config), params, context())).rejects.toMatchObject({ statusCode: 400, code: 'invalid_override_params' });
    expect([a.received.length, b.received.length]).toEqual([0, 0]);
  });
});
