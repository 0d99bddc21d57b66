/** Bad configs through the real handler: 400s that name every bad path, before any upstream is called. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

describe('invalid x-portkey-config through the local gateway', () => {
  let gateway: RunningGateway;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    [upstream, gateway] = await Promise.all([startFakeUpstream(), startGateway({ GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback' })]);
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), upstream?.close()]);
  });

  async function refuse(config: string) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-caller-key', 'x-portkey-config': config, 'x-portkey-trace-id': 'trace-bad-config' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' }),
    });
    const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
    expect(response.status).toBe(400);
    expect(response.headers.get('x-portkey-trace-id')).toBe('trace-bad-config');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.param).toBe('x-portkey-config');
    expect(upstream.received).toHaveLength(0);
    return body.error;
  }

  it('names a wrong mode', async () => {
    const error = await refuse(JSON.stringify({ strategy: { mode: 'round-robin' }, targets: [{ provider: 'openai' }] }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/config\.strategy\.mode: Invalid option: expected one of "single"\|"fallback"\|"loadbalance"\|"conditional"/);
  });

  it('names every wrongly typed field at once, nested ones too', async () => {
    const error = await refuse(
      JSON.stringify({
        strategy: { mode: 'fallback', onStatusCodes: ['500'] },
        retry: { attempts: 'three' },
        targets: [{ provider: 'openai', weight: '2', requestTimeout: -5 }, { strategy: { mode: 'single' }, targets: [{ provider: 'openai', overrideParams: 'fast' }] }],
      }),
    );
    for (const path of [
      'config.strategy.on_status_codes[0]',
      'config.retry.attempts',
      'config.targets[0].weight',
      'config.targets[0].request_timeout',
      'config.targets[1].targets[0].override_params',
    ]) {
      expect(error.message).toContain(`${path}:`);
    }
  });

  it('names an unknown provider', async () => {
    const error = await refuse(JSON.stringify({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { provider: 'open-ai' }] }));
    expect(error.message).toContain('config.targets[1].provider: unknown provider "open-ai"');
  });

  it('puts a custom host through the guard in snake_case and in camelCase', async () => {
    const snake = await refuse(JSON.stringify({ provider: 'openai', custom_host: 'http://169.254.169.254/latest/meta-data' }));
    expect(snake.message).toContain('config.custom_host: Custom host "169.254.169.254" is not allowed');
    const camel = await refuse(JSON.stringify({ strategy: { mode: 'single' }, targets: [{ provider: 'openai', customHost: 'http://internal.example:8080/v1' }] }));
    expect(camel.message).toContain('config.targets[0].custom_host: Custom host "internal.example:8080" is not allowed');
  });

  it('refuses JSON that does not parse and ids that cannot be stored configs', async () => {
    expect((await refuse('{"strategy": ')).message).toContain('is not valid JSON');
    expect((await refuse('../../etc/passwd')).message).toContain('must be a JSON object or the id of a stored config');
  });

  it('refuses override_params that make the request invalid', async () => {
    const error = await refuse(JSON.stringify({ provider: 'openai', custom_host: `${upstream.url}/v1`, override_params: { temperature: 9 } }));
    expect(error.code).toBe('invalid_override_params');
    expect(error.message).toContain('override_params of config make an invalid request');
    expect(error.message).toContain('temperature');
  });
});
