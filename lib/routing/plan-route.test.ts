import { describe, expect, it } from 'vitest';
import { planRoute } from './plan-route.ts';

describe('planRoute', () => {
  it('without a config is one leaf holding the header fields', () => {
    const route = planRoute(undefined, { provider: 'openai', api_key: 'sk-header' });
    expect(route).toMatchObject({ path: undefined, target: { provider: 'openai', api_key: 'sk-header' }, children: [] });
  });

  it('lets config fields override the headers and children override parents', () => {
    const route = planRoute(
      {
        strategy: { mode: 'fallback' },
        provider: 'openai',
        request_timeout: 1000,
        custom_host: 'http://127.0.0.1:1/v1',
        retry: { attempts: 2 },
        override_params: { model: 'parent-model', temperature: 0.1 },
        targets: [
          { override_params: { model: 'child-model' }, request_timeout: 50 },
          { strategy: { mode: 'single' }, forward_headers: ['x-team'], targets: [{ retry: { attempts: 0 }, override_params: { max_tokens: 3 } }] },
        ],
      },
      { provider: 'openai', api_key: 'sk-header', request_timeout: 9999, forward_headers: ['x-request-id'] },
    );
    expect(route.path).toBe('config');
    expect(route.target).toMatchObject({ api_key: 'sk-header', request_timeout: 1000, forward_headers: ['x-request-id'] });
    const [first, second] = route.children;
    expect(first!.path).toBe('config.targets[0]');
    expect(first!.target).toEqual({
      provider: 'openai',
      api_key: 'sk-header',
      request_timeout: 50,
      custom_host: 'http://127.0.0.1:1/v1',
      forward_headers: ['x-request-id'],
      override_params: { model: 'child-model', temperature: 0.1 },
    });
    expect(first!.retry).toEqual({ attempts: 2 });
    const leaf = second!.children[0]!;
    expect(leaf.path).toBe('config.targets[1].targets[0]');
    expect(leaf.target.override_params).toEqual({ model: 'parent-model', temperature: 0.1, max_tokens: 3 });
    expect(leaf.target.forward_headers).toEqual(['x-team']);
    expect(leaf.retry).toEqual({ attempts: 0 });
  });

  it('drops inherited credentials from a target that brings its own', () => {
    const route = planRoute(
      { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { virtual_key: 'vk-backup' }, { api_key: 'sk-own' }] },
      { provider: 'openai', api_key: 'sk-header', virtual_key: 'vk-header' },
    );
    expect(route.children[0]!.target).toMatchObject({ api_key: 'sk-header', virtual_key: 'vk-header' });
    expect(route.children[1]!.target).toEqual({ provider: 'openai', virtual_key: 'vk-backup' });
    expect(route.children[2]!.target).toEqual({ provider: 'openai', api_key: 'sk-own' });
  });

  it('gives a missing weight the default of 1', () => {
    const route = planRoute({ strategy: { mode: 'loadbalance' }, targets: [{ provider: 'openai' }, { provider: 'openai', weight: 0 }] }, {});
    expect(route.children.map((child) => child.weight)).toEqual([1, 0]);
  });
});
