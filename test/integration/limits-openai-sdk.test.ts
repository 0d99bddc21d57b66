/**
 * The refusals as the official openai SDK sees them: first from a bare loopback server that
 * answers through the limiter (the wire shape alone), then through the gateway with limits wired.
 * The bare server answers `POST /v1/completions` through the real limiter on dynalite and renders
 * its errors as the edge will (OpenAI body + the error's own headers). The SDK retries a rate
 * refusal after `retry-after-ms` and gives up at once on a budget refusal (`x-should-retry: false`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GatewayError } from '../../lib/api/errors.ts';
import { createLimiter } from '../../lib/limits/create-limiter.ts';
import { type LimitsDocument, parseLimitsDocument } from '../../lib/limits/limits-document.ts';
import { dynaliteTable } from './limits-table.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { limitsFromEnv } from '../../lib/limits/limits-from-env.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { startGatewayWith } from '../support/start-gateway.ts';
import { type Dynalite, startDynalite, TEST_TABLE } from '../support/dynalite.ts';

let dynaliteServer: Dynalite;
let server: http.Server;
let baseURL: string;
let hits = 0;
let document: LimitsDocument;
/** The limiter's clock, per hit: time passes while the SDK waits out a refusal. */
let clock: (hit: number) => number = () => Date.now();
const hitTimes: number[] = [];

beforeAll(async () => {
  dynaliteServer = await startDynalite();
  const limiter = createLimiter({
    table: dynaliteTable(dynaliteServer.url),
    now: () => clock(hits),
  });
  server = http.createServer((request, response) => {
    hits += 1;
    hitTimes[hits] = performance.now();
    request.resume();
    request.on('end', async () => {
      try {
        const reservation = await limiter.reserve(document, { caller: { userArn: 'arn:aws:iam::123456789012:user/sdk' } }, { tokens: 20, costUsd: 0.01 });
        await reservation.settle({ tokens: 12, costUsd: 0.006 });
        response.writeHead(200, { 'content-type': 'application/json', ...reservation.headers });
        response.end(JSON.stringify(OPENAI_COMPLETION));
      } catch (error) {
        const gatewayError = error as GatewayError & { headers?: Record<string, string> };
        response.writeHead(gatewayError.statusCode, { 'content-type': 'application/json', ...gatewayError.headers });
        response.end(JSON.stringify(gatewayError.toOpenAIError()));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dynaliteServer.close();
});

const client = () => new OpenAI({ apiKey: 'unused', baseURL, maxRetries: 2, timeout: 10_000 });

describe('the openai SDK against limit refusals', () => {
  test('waits out a rate refusal and succeeds in the next window', async () => {
    document = parseLimitsDocument({ rules: [{ name: 'sdk-rate', requests_per_minute: 1 }] }, 'test');
    // 100 ms before a minute ends until the SDK comes back; by then the next minute has begun.
    clock = (hit) => (hit <= 2 ? Date.parse('2026-11-27T10:00:59.900Z') : Date.parse('2026-11-27T10:01:00.050Z'));
    hits = 0;
    const first = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' }).withResponse();
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');

    const second = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' }).withResponse();
    expect(hits).toBe(3); // the first, the refused one, its retry in the next minute
    expect(hitTimes[3]! - hitTimes[2]!).toBeGreaterThanOrEqual(95); // it waited the retry-after-ms (100) it was told
    expect(second.data.choices[0]?.text).toBe(OPENAI_COMPLETION.choices[0]?.text);
    expect(second.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  test('gives up at once on a budget refusal, with the insufficient_quota code', async () => {
    document = parseLimitsDocument({ rules: [{ name: 'sdk-budget', cost_usd_per_day: 0.005 }] }, 'test');
    clock = () => Date.now();
    hits = 0;
    const error = await client()
      .completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('"sdk-budget"');
    expect(hits).toBe(1);
  });
});

describe('the openai SDK through the gateway with limits wired', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayWith>>;
  let upstream: FakeUpstream;
  let reserves = 0;
  let gatewayClock: (reserve: number) => number = () => Date.now();

  beforeAll(async () => {
    upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
    const keysFile = join(mkdtempSync(join(tmpdir(), 'limits-sdk-')), 'gateway.keys.json');
    const keys = {
      virtual_keys: {
        'vk-rate': { provider: 'openai', api_key: 'sk-rate', custom_host: `${upstream.url}/v1` },
        'vk-budget': { provider: 'openai', api_key: 'sk-budget', custom_host: `${upstream.url}/v1` },
      },
      limits: {
        rules: [
          { name: 'vk-rate-minute', virtual_keys: ['vk-rate'], requests_per_minute: 1 },
          { name: 'vk-budget-day', virtual_keys: ['vk-budget'], tokens_per_day: 20 },
        ],
      },
    };
    writeFileSync(keysFile, JSON.stringify(keys));
    const wiring = limitsFromEnv({}, { source: 'file', prefix: 'llm-gateway/', ttlSeconds: 300, graceSeconds: 3600, keysFile }, {
      table: dynaliteTable(dynaliteServer.url),
      now: () => gatewayClock(++reserves),
    });
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore: createFileKeyStore(keys),
      middlewares: [wiring.middleware],
      settle: wiring.settled,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const viaKey = (virtualKey: string) => new OpenAI({ apiKey: 'unused', baseURL: gateway.baseURL, maxRetries: 2, timeout: 10_000, defaultHeaders: { 'x-portkey-virtual-key': virtualKey } });

  test('retries a rate refusal after the retry-after-ms it was given, and succeeds in the next minute', async () => {
    // The gateway's clock: 100 ms before the minute ends for the first two reservations, then the next minute.
    gatewayClock = (reserve) => (reserve <= 2 ? Date.parse('2026-11-27T10:00:59.900Z') : Date.parse('2026-11-27T10:01:00.050Z'));
    reserves = 0;
    const sent = upstream.received.length;
    expect((await viaKey('vk-rate').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 })).choices[0]?.text).toBe(OPENAI_COMPLETION.choices[0]?.text);
    const second = await viaKey('vk-rate').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 }).withResponse();
    expect(reserves).toBe(3); // the first, the refused one, its retry
    expect(second.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // Three calls reached the upstream alongside their reservations; the refused one was cancelled.
    expect(upstream.received.length - sent).toBe(3);
  });

  test('gives up at once on a budget refusal', async () => {
    gatewayClock = () => Date.now();
    reserves = 0;
    const client = viaKey('vk-budget');
    // 12 tokens used by each answer: the second leaves 24 of 20, the third is refused.
    await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 });
    await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 });
    const error = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('"vk-budget-day"');
    expect(reserves).toBe(3);
  });
});
