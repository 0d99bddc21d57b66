/**
 * Measures what a warm container costs Secrets Manager: calls counted at the fake for 1,000
 * requests through the gateway with the default TTL (300 s). The cache-level test in
 * lib/keys/secrets-manager-key-store.test.ts covers 1,000 requests spread over an hour (12 calls).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

const OK = { id: 'cmpl-1', object: 'text_completion', created: 1589478378, model: 'm', choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }] };

describe('Secrets Manager calls of a warm container', () => {
  let secrets: FakeSecretsManager;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    secrets = await startFakeSecretsManager();
    upstream = await startFakeUpstream(json(200, OK));
    for (const name of ['alpha', 'beta', 'gamma']) secrets.put(`llm-gateway/${name}`, { provider: 'openai', api_key: `sk-${name}`, custom_host: `${upstream.url}/v1` });
    gateway = await startGateway({ ...fakeAwsEnv(secrets), GATEWAY_KEY_SOURCE: 'secretsmanager' });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await secrets?.close();
  });

  const complete = (virtualKey: string, body = JSON.stringify({ model: 'm', prompt: 'x' })) =>
    fetch(`${gateway.baseURL}/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': virtualKey }, body });

  it('makes one call per virtual key for 1,000 requests (20 at a time, three keys)', async () => {
    const names = ['alpha', 'beta', 'gamma'];
    let next = 0;
    const statuses: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < 1_000) {
          const response = await complete(names[next++ % names.length]!);
          statuses.push(response.status);
          await response.arrayBuffer();
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    expect(statuses.filter((status) => status === 200)).toHaveLength(1_000);
    expect(upstream.received.length).toBe(1_000);
    // One call per key, and one for the limits document (none here: its absence is cached for the TTL too).
    expect(secrets.totalCalls()).toBe(4);
    expect(Object.fromEntries(secrets.calls)).toEqual({ 'llm-gateway/alpha': 1, 'llm-gateway/beta': 1, 'llm-gateway/gamma': 1, 'llm-gateway/limits': 1 });
    process.stdout.write(`keys: ${secrets.totalCalls()} Secrets Manager calls for 1,000 requests over 3 virtual keys in ${Math.round(elapsedMs)} ms\n`);
    // 1,000 requests on a shared 2-core machine: a generous limit, not a speed assertion.
  }, 120_000);

  it('starts reading the header\'s virtual key before the body is parsed', async () => {
    secrets.put('llm-gateway/early', { provider: 'openai', api_key: 'sk-early' });
    const response = await complete('early', '{"model": ');
    expect(response.status).toBe(400);
    await response.arrayBuffer();
    await expect.poll(() => secrets.calls.get('llm-gateway/early')).toBe(1);
  });
});
