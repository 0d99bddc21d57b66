/**
 * When the counters' store fails: `allow` serves the request (and logs), `deny` answers 503.
 * Throttled calls are retried first, within a small attempt budget; a call sent and not answered in
 * time is not sent again (it may have counted). The table built from the
 * environment honours `GATEWAY_TABLE` and `AWS_ENDPOINT_URL_DYNAMODB`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createLimiter, type StoreErrorPolicy } from '../../lib/limits/create-limiter.ts';
import { LimitsUnavailableError } from '../../lib/limits/limit-errors.ts';
import { readStoreErrorPolicy } from '../../lib/limits/limits-options.ts';
import { parseLimitsDocument } from '../../lib/limits/limits-document.ts';
import { setLogSink } from '../../lib/log.ts';
import { createGatewayTable } from '../../lib/store/create-gateway-table.ts';
import { dynaliteTable } from './limits-table.ts';
import { type Dynalite, type DynamoDbProxy, startDynalite, startDynamoDbProxy, TEST_TABLE } from '../support/dynalite.ts';
import { unreachablePort } from '../support/unreachable-port.ts';

let dynaliteServer: Dynalite;
let proxy: DynamoDbProxy;
let deadEndpoint: string;

beforeAll(async () => {
  dynaliteServer = await startDynalite();
  proxy = await startDynamoDbProxy(dynaliteServer.url);
  // A port that was just listening and no longer is: connections are refused, as from a store that is down.
  deadEndpoint = `http://127.0.0.1:${await unreachablePort()}`;
});
afterAll(async () => {
  await proxy.close();
  await dynaliteServer.close();
});
afterEach(() => vi.unstubAllEnvs());

const caller = { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };
const estimate = { tokens: 10, costUsd: null };

function limiterOn(endpoint: string, policy: StoreErrorPolicy | undefined, maxAttempts = 1) {
  const table = dynaliteTable(endpoint, { maxAttempts });
  return createLimiter({ table, ...(policy ? { onStoreError: policy } : {}) });
}

function captureLog(): { lines: Array<Record<string, unknown>>; restore: () => void } {
  vi.stubEnv('LOG_LEVEL', 'warn');
  const lines: Array<Record<string, unknown>> = [];
  const restore = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { lines, restore };
}

describe('a store that is down', () => {
  test('serves the request under allow (the default), uncounted, and logs why', async () => {
    const log = captureLog();
    try {
      const document = parseLimitsDocument({ rules: [{ name: 'down-allow', requests_per_minute: 1 }] }, 'test');
      const limiter = limiterOn(deadEndpoint, undefined);
      for (let index = 0; index < 2; index++) {
        const reservation = await limiter.reserve(document, { caller }, estimate);
        expect(reservation.storeError).toBe(true);
        expect(reservation.headers).toEqual({});
      }
      expect(log.lines.filter((line) => line.message === 'limits store unavailable')).toHaveLength(2);
      expect(log.lines[0]).toMatchObject({ level: 'warn', policy: 'allow', table: `dynamodb:${TEST_TABLE}`, error: 'TableUnavailableError' });
    } finally {
      log.restore();
    }
  });

  test('refuses with 503 limits_unavailable under deny', async () => {
    const document = parseLimitsDocument({ rules: [{ name: 'down-deny', requests_per_minute: 100 }] }, 'test');
    const refusal = await limiterOn(deadEndpoint, 'deny').reserve(document, { caller }, estimate).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(LimitsUnavailableError);
    const error = refusal as LimitsUnavailableError;
    expect(error.statusCode).toBe(503);
    expect(error.toOpenAIError().error.code).toBe('limits_unavailable');
    expect(error.headers['retry-after']).toBe('1');
  });

  test('reads the policy from GATEWAY_LIMITS_ON_STORE_ERROR and refuses a typo', () => {
    expect(readStoreErrorPolicy({})).toBe('allow');
    expect(readStoreErrorPolicy({ GATEWAY_LIMITS_ON_STORE_ERROR: 'deny' })).toBe('deny');
    expect(() => readStoreErrorPolicy({ GATEWAY_LIMITS_ON_STORE_ERROR: 'block' })).toThrow(/allow.*deny/);
  });
});

describe('a throttled store', () => {
  test('retries throttled calls within the attempt budget and counts once', async () => {
    const document = parseLimitsDocument({ rules: [{ name: 'throttled', requests_per_minute: 5 }] }, 'test');
    const limiter = limiterOn(proxy.url, 'deny', 3);
    const before = proxy.requests;
    proxy.throttleNext(2);
    const reservation = await limiter.reserve(document, { caller }, estimate);
    expect(proxy.requests - before).toBe(3);
    expect(reservation.storeError).toBe(false);
    expect(reservation.headers['x-ratelimit-remaining-requests']).toBe('4');
  });

  test('gives up after the budget and applies the policy', async () => {
    const document = parseLimitsDocument({ rules: [{ name: 'throttled-out', requests_per_minute: 5 }] }, 'test');
    const before = proxy.requests;
    proxy.throttleNext(3);
    await expect(limiterOn(proxy.url, 'deny', 3).reserve(document, { caller }, estimate)).rejects.toBeInstanceOf(LimitsUnavailableError);
    expect(proxy.requests - before).toBe(3);
  });
});

describe('a slow store', () => {
  test('does not send again a reservation that was sent and not answered in time, and applies the policy', async () => {
    const slow = await startDynamoDbProxy(dynaliteServer.url, { delayMs: 400 });
    try {
      const document = parseLimitsDocument({ rules: [{ name: 'slow', requests_per_minute: 5 }] }, 'test');
      // Both limiters at one instant: counters are per clock minute, and the test may straddle one.
      const at = Date.now();
      const limiter = createLimiter({ table: dynaliteTable(slow.url, { maxAttempts: 3, requestTimeoutMs: 100 }), onStoreError: 'deny', now: () => at });
      await expect(limiter.reserve(document, { caller }, estimate)).rejects.toBeInstanceOf(LimitsUnavailableError);
      expect(slow.requests).toBe(1);
      // The call did reach the table after its timeout: counted once, not once per attempt.
      await vi.waitFor(() => expect(slow.forwarded).toBe(1), { timeout: 5_000, interval: 20 });
      const reservation = await createLimiter({ table: dynaliteTable(dynaliteServer.url), now: () => at }).reserve(document, { caller }, estimate);
      expect(reservation.headers['x-ratelimit-remaining-requests']).toBe('3');
    } finally {
      await slow.close();
    }
  });
});

describe('the table from the environment', () => {
  test('is DynamoDB at AWS_ENDPOINT_URL_DYNAMODB when GATEWAY_TABLE is set', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', proxy.url);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const table = createGatewayTable({ GATEWAY_TABLE: TEST_TABLE });
    expect(table.description).toBe(`dynamodb:${TEST_TABLE}`);
    const before = proxy.requests;
    const document = parseLimitsDocument({ rules: [{ name: 'from-env', requests_per_minute: 5 }] }, 'test');
    const reservation = await createLimiter({ table }).reserve(document, { caller }, estimate);
    expect(reservation.headers['x-ratelimit-remaining-requests']).toBe('4');
    expect(proxy.requests - before).toBe(1);
  });

  test('is in-process without GATEWAY_TABLE', () => {
    expect(createGatewayTable({}).description).toBe('memory');
  });
});
