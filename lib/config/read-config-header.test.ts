import { describe, expect, it, vi } from 'vitest';
import { AuthenticationError, InvalidRequestError } from '../api/errors.ts';
import { createFileKeyStore } from '../keys/file-key-store.ts';
import type { KeyStore } from '../keys/key-store.ts';
import * as parseConfigModule from './parse-config.ts';
import { createCustomHostGuard } from './custom-host-guard.ts';
import { readConfigHeader } from './read-config-header.ts';
import { readMetadataHeader } from './read-metadata-header.ts';

const customHostGuard = createCustomHostGuard('loopback', { defaultAllowed: '' });
const caller = { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };

function storeWith(configs: Record<string, unknown>): KeyStore & { asked: Array<[string, unknown]> } {
  const asked: Array<[string, unknown]> = [];
  return {
    asked,
    getVirtualKey: async () => ({}),
    async getConfig(id, who) {
      asked.push([id, who]);
      if (!Object.hasOwn(configs, id)) throw new AuthenticationError(`Unknown config "${id}".`, { statusCode: 404 });
      return configs[id];
    },
  };
}

describe('readConfigHeader', () => {
  it('is undefined without the header', async () => {
    expect(await readConfigHeader(undefined, { customHostGuard, caller })).toBeUndefined();
    expect(await readConfigHeader('  ', { customHostGuard, caller })).toBeUndefined();
  });

  it('parses inline JSON', async () => {
    expect(await readConfigHeader('{"provider":"openai","requestTimeout":100}', { customHostGuard, caller })).toEqual({ provider: 'openai', request_timeout: 100 });
  });

  it('parses a config text once and shares the frozen result', async () => {
    const text = '{"strategy":{"mode":"single"},"targets":[{"provider":"openai","overrideParams":{"model":"m"}}]}';
    const first = await readConfigHeader(text, { customHostGuard, caller });
    const second = await readConfigHeader(` ${text} `, { customHostGuard, caller });
    expect(second).toBe(first);
    expect(Object.isFrozen(first!.targets![0]!.override_params)).toBe(true);
    const otherGuard = createCustomHostGuard('', { defaultAllowed: '' });
    expect(await readConfigHeader(text, { customHostGuard: otherGuard, caller })).not.toBe(first);
  });

  it('refuses a bad config every time, caching nothing', async () => {
    for (let round = 0; round < 2; round++) {
      await expect(readConfigHeader('{"provider":"nope"}', { customHostGuard, caller })).rejects.toThrow('unknown provider "nope"');
    }
  });

  it('loads an id from the key store for this caller, as an object or as JSON text', async () => {
    const keyStore = storeWith({ 'pc-fallback': { strategy: { mode: 'single' }, targets: [{ provider: 'openai' }] }, 'pc-text': '{"provider":"openai"}' });
    expect(await readConfigHeader('pc-fallback', { customHostGuard, caller, keyStore })).toMatchObject({ strategy: { mode: 'single' } });
    expect(await readConfigHeader('pc-text', { customHostGuard, caller, keyStore })).toEqual({ provider: 'openai' });
    expect(keyStore.asked).toEqual([
      ['pc-fallback', caller],
      ['pc-text', caller],
    ]);
  });

  it('validates a stored config once while the key store serves the same secret value', async () => {
    // The real store: it used to hand out a fresh copy per request, so this memo never hit.
    const keyStore = createFileKeyStore({ configs: { 'pc-cached': { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { provider: 'anthropic' }] } } });
    const parse = vi.spyOn(parseConfigModule, 'parseConfig');
    try {
      const first = await readConfigHeader('pc-cached', { customHostGuard, caller, keyStore });
      const second = await readConfigHeader('pc-cached', { customHostGuard, caller, keyStore });
      expect(second).toBe(first);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('passes on the key store refusal for an unknown id', async () => {
    await expect(readConfigHeader('pc-unknown', { customHostGuard, caller, keyStore: storeWith({}) })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('validates a stored config like an inline one, custom hosts included', async () => {
    const keyStore = storeWith({ 'pc-bad': { provider: 'openai', customHost: 'http://10.1.2.3/v1' } });
    await expect(readConfigHeader('pc-bad', { customHostGuard, caller, keyStore })).rejects.toThrow(/config\.custom_host: Custom host "10\.1\.2\.3" is not allowed/);
  });

  it('says stored configs are not configured when there is no key store', async () => {
    const error = await readConfigHeader('pc-fallback', { customHostGuard, caller }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, param: 'x-portkey-config', code: 'stored_configs_unavailable' });
  });

  it('refuses ids that could name another secret', async () => {
    const keyStore = storeWith({});
    await expect(readConfigHeader('../keys/prod', { customHostGuard, caller, keyStore })).rejects.toMatchObject({ statusCode: 400 });
    expect(keyStore.asked).toEqual([]);
  });
});

describe('readMetadataHeader', () => {
  it('reads a JSON object and refuses anything else', () => {
    expect(readMetadataHeader('{"plan":"pro","_user":"u-1"}')).toEqual({ plan: 'pro', _user: 'u-1' });
    expect(readMetadataHeader(undefined)).toEqual({});
    expect(() => readMetadataHeader('[1]')).toThrow('must be a JSON object');
    expect(() => readMetadataHeader('plan=pro')).toThrow('not valid JSON');
  });
});
