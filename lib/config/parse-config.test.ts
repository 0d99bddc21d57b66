import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../api/errors.ts';
import { createCustomHostGuard } from './custom-host-guard.ts';
import { normalizeConfigKeys, toSnakeCase } from './normalize-config-keys.ts';
import { parseConfig } from './parse-config.ts';

const customHostGuard = createCustomHostGuard('loopback', { defaultAllowed: '' });

function problemsOf(raw: unknown): string {
  try {
    parseConfig(raw, { customHostGuard });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).statusCode).toBe(400);
    expect((error as InvalidRequestError).param).toBe('x-portkey-config');
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('normalizeConfigKeys', () => {
  it('turns camelCase keys into snake_case at every depth', () => {
    const { value } = normalizeConfigKeys({
      strategy: { mode: 'fallback', onStatusCodes: [429] },
      targets: [{ customHost: 'http://127.0.0.1:1/v1', retry: { attempts: 1, useRetryAfterHeader: true }, targets: [{ virtualKey: 'vk', requestTimeout: 5 }] }],
    });
    expect(value).toEqual({
      strategy: { mode: 'fallback', on_status_codes: [429] },
      targets: [{ custom_host: 'http://127.0.0.1:1/v1', retry: { attempts: 1, use_retry_after_header: true }, targets: [{ virtual_key: 'vk', request_timeout: 5 }] }],
    });
  });

  it('leaves the keys inside override_params, metadata and queries as written', () => {
    const { value } = normalizeConfigKeys({
      overrideParams: { maxTokens: 5, logit_bias: { '50256': -100 } },
      strategy: { mode: 'conditional', conditions: [{ query: { 'metadata.userPlan': { $eq: 'pro' } }, then: 'a' }] },
    });
    expect(value).toEqual({
      override_params: { maxTokens: 5, logit_bias: { '50256': -100 } },
      strategy: { mode: 'conditional', conditions: [{ query: { 'metadata.userPlan': { $eq: 'pro' } }, then: 'a' }] },
    });
  });

  it('reports a field given in both styles', () => {
    expect(normalizeConfigKeys({ targets: [{ custom_host: 'a', customHost: 'b' }] }).conflicts).toEqual(['config.targets[0].custom_host']);
  });

  it('spells provider fields the way the headers do', () => {
    expect(toSnakeCase('awsSecretAccessKey')).toBe('aws_secret_access_key');
    expect(toSnakeCase('openaiOrganization')).toBe('openai_organization');
    expect(toSnakeCase('api_key')).toBe('api_key');
  });
});

describe('parseConfig', () => {
  it('accepts a nested config in either key style', () => {
    const config = parseConfig(
      {
        strategy: { mode: 'fallback', onStatusCodes: [500, 503] },
        retry: { attempts: 2 },
        targets: [
          { provider: 'openai', apiKey: 'sk-a', weight: 0.5 },
          { strategy: { mode: 'loadbalance' }, targets: [{ provider: 'openai', customHost: 'http://127.0.0.1:9/v1', weight: 0 }, { provider: 'openai' }] },
        ],
      },
      { customHostGuard },
    );
    expect(config.strategy).toEqual({ mode: 'fallback', on_status_codes: [500, 503] });
    expect(config.targets![1]!.targets![0]!.custom_host).toBe('http://127.0.0.1:9/v1');
    expect(config.targets![0]!.api_key).toBe('sk-a');
  });

  it('lists every bad path and why in one message', () => {
    const message = problemsOf({
      strategy: { mode: 'roundrobin' },
      retry: { attempts: 9 },
      targets: [{ provider: 42, weight: -1, request_timeout: 'soon' }, { provider: 'openai', colour: 'blue' }],
    });
    expect(message).toContain('config.strategy.mode:');
    expect(message).toContain('config.retry.attempts:');
    expect(message).toContain('config.targets[0].provider: Invalid input: expected string, received number');
    expect(message).toContain('config.targets[0].weight:');
    expect(message).toContain('config.targets[0].request_timeout:');
    expect(message).toContain('config.targets[1].colour: unknown field');
  });

  it('refuses an unknown provider at any depth', () => {
    const message = problemsOf({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { strategy: { mode: 'single' }, targets: [{ provider: 'nope-ai' }] }] });
    expect(message).toMatch(/config\.targets\[1\]\.targets\[0\]\.provider: unknown provider "nope-ai"; known: .*openai/);
  });

  it('puts custom hosts through the guard in both key styles', () => {
    expect(problemsOf({ provider: 'openai', custom_host: 'http://169.254.169.254/latest' })).toMatch(/config\.custom_host: Custom host "169\.254\.169\.254" is not allowed/);
    expect(problemsOf({ strategy: { mode: 'single' }, targets: [{ provider: 'openai', customHost: 'http://10.0.0.1/v1' }] })).toMatch(
      /config\.targets\[0\]\.custom_host: Custom host "10\.0\.0\.1" is not allowed/,
    );
    expect(problemsOf({ provider: 'openai', customHost: 'file:///etc/passwd' })).toContain('must use http or https');
  });

  it('accepts the simple cache at any depth and refuses the semantic one at any depth, saying so', () => {
    expect(parseConfig({ provider: 'openai', cache: { mode: 'simple' } }, { customHostGuard }).cache).toEqual({ mode: 'simple' });
    expect(parseConfig({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai', cache: { mode: 'simple', maxAge: 60 } }] }, { customHostGuard }).targets![0]!.cache).toEqual({
      mode: 'simple',
      max_age: 60,
    });
    expect(problemsOf({ provider: 'openai', cache: { mode: 'semantic' } })).toContain('config.cache.mode: the semantic cache is not supported by this gateway; use "simple"');
    expect(problemsOf({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { provider: 'openai', cache: { mode: 'semantic' } }] })).toContain(
      'config.targets[1].cache.mode: the semantic cache is not supported by this gateway; use "simple"',
    );
  });

  it('reads targets without a strategy as mode single', () => {
    expect(parseConfig({ targets: [{ provider: 'openai' }] }, { customHostGuard }).strategy).toBeUndefined();
  });

  it('needs targets with a strategy, and names that exist', () => {
    expect(problemsOf({ strategy: { mode: 'fallback' } })).toContain('config.targets: required when a strategy is given');
    const message = problemsOf({
      strategy: { mode: 'conditional', conditions: [{ query: { 'metadata.plan': { $like: 'x' }, 'body.x': 1 }, then: 'missing' }], default: 'gone' },
      targets: [{ name: 'a', provider: 'openai' }],
    });
    expect(message).toContain('config.strategy.conditions[0].query.metadata.plan.$like: unknown operator');
    expect(message).toContain('config.strategy.conditions[0].query.body.x: a path must start with metadata. or params.');
    expect(message).toContain('config.strategy.conditions[0].then: no target named "missing"');
    expect(message).toContain('config.strategy.default: no target named "gone"');
    expect(problemsOf({ strategy: { mode: 'conditional' }, targets: [{ provider: 'openai' }] })).toContain('needs at least one condition');
    expect(problemsOf({ strategy: { mode: 'loadbalance' }, targets: [{ provider: 'openai', weight: 0 }] })).toContain('weight above 0');
  });

  it('refuses ambiguous keys and a config that is not an object', () => {
    expect(problemsOf({ provider: 'openai', api_key: 'a', apiKey: 'b' })).toContain('config.api_key: given both in snake_case and camelCase');
    expect(problemsOf(['openai'])).toContain('config: Invalid input: expected object, received array');
  });

  it('bounds the number of targets and their depth', () => {
    const wide = { strategy: { mode: 'fallback' }, targets: Array.from({ length: 65 }, () => ({ provider: 'openai' })) };
    expect(problemsOf(wide)).toContain('config: 65 targets in all; at most 64 are allowed');
    let deep: Record<string, unknown> = { provider: 'openai' };
    for (let level = 0; level < 9; level++) deep = { strategy: { mode: 'single' }, targets: [deep] };
    expect(problemsOf(deep)).toContain('config: targets nest 9 levels deep; at most 8 are allowed');
    expect(() => parseConfig({ ...wide, targets: wide.targets.slice(0, 64) }, { customHostGuard })).not.toThrow();
  });

  it('refuses a __proto__ key as an unknown field instead of inheriting through it', () => {
    expect(problemsOf(JSON.parse('{"__proto__": {"provider": "openai"}, "strategy": {"mode": "single"}}'))).toContain('config.__proto__: unknown field');
  });

  it('never repeats a key from the config in its message', () => {
    const message = problemsOf({ provider: 'nope', api_key: 'sk-secret-value' });
    expect(message).not.toContain('sk-secret-value');
  });
});
