/**
 * Configs together with virtual keys and stored configs, through the real handler and the
 * file key store (GATEWAY_KEY_SOURCE=file): the header's virtual key is the root's default,
 * a target's own virtual key replaces it, and a stored config id routes like an inline one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';

describe('configs with virtual keys and stored configs through the local gateway', () => {
  let gateway: RunningGateway;
  let primary: FakeUpstream;
  let backup: FakeUpstream;

  beforeAll(async () => {
    [primary, backup] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
    const directory = await mkdtemp(path.join(tmpdir(), 'routing-keys-'));
    const keysFile = path.join(directory, 'gateway.keys.json');
    await writeFile(
      keysFile,
      JSON.stringify({
        virtual_keys: {
          'vk-primary': { provider: 'openai', api_key: 'sk-stored-primary', custom_host: `${primary.url}/v1` },
          'vk-backup': { provider: 'openai', api_key: 'sk-stored-backup', custom_host: `${backup.url}/v1` },
        },
        configs: {
          'pc-primary-then-backup': {
            strategy: { mode: 'fallback', on_status_codes: [503] },
            targets: [{ virtual_key: 'vk-primary' }, { virtual_key: 'vk-backup', override_params: { model: 'backup-model' } }],
          },
        },
      }),
    );
    gateway = await startGateway({ GATEWAY_KEY_SOURCE: 'file', GATEWAY_KEYS_FILE: keysFile });
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), primary?.close(), backup?.close()]);
  });
  beforeEach(() => {
    primary.received.length = 0;
    backup.received.length = 0;
  });

  async function complete(headers: Record<string, string>) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      // The openai SDK always sends some Authorization; a stored credential must win over it.
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-whatever-the-sdk-sent', ...headers },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' }),
    });
    return { response, body: (await response.json()) as Record<string, any> };
  }

  it('uses the header virtual key as the default of config targets, and a target virtual key instead', async () => {
    primary.enqueue(json(500, { error: { message: 'boom' } }));
    backup.enqueue(json(200, OPENAI_COMPLETION));
    const { response } = await complete({
      'x-portkey-virtual-key': 'vk-primary',
      'x-portkey-config': JSON.stringify({ strategy: { mode: 'fallback' }, targets: [{ request_timeout: 5000 }, { virtual_key: 'vk-backup' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(primary.received[0]!.headers.authorization).toBe('Bearer sk-stored-primary');
    expect(backup.received[0]!.headers.authorization).toBe('Bearer sk-stored-backup');
  });

  it('routes a stored config id like an inline config', async () => {
    primary.enqueue(json(503, { error: { message: 'overloaded' } }));
    backup.enqueue(json(200, OPENAI_COMPLETION));
    const { response, body } = await complete({ 'x-portkey-config': 'pc-primary-then-backup' });
    expect(response.status).toBe(200);
    expect(body.choices[0].text).toBe('\n\nThis is indeed a test');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(backup.received[0]!.body).toMatchObject({ model: 'backup-model' });
  });

  it('answers 404 for an unknown stored config id', async () => {
    const { response, body } = await complete({ 'x-portkey-config': 'pc-nothing-here' });
    expect(response.status).toBe(404);
    expect(body.error.message).not.toContain('sk-');
    expect(primary.received).toHaveLength(0);
  });
});
