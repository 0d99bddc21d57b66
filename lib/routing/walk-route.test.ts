import { describe, expect, it } from 'vitest';
import { InvalidRequestError, UpstreamError } from '../api/errors.ts';
import type { RoutingConfig } from '../config/routing-config.ts';
import { planRoute, type RouteNode } from './plan-route.ts';
import { walkRoute } from './walk-route.ts';

const failWith = (statusCode: number) => new UpstreamError(`failed ${statusCode}`, { provider: 'openai', statusCode });

/** Attempts answer by the leaf's `name`: a number fails with that status, anything else succeeds. */
async function walk(config: RoutingConfig, query = { metadata: {}, params: {} }, random = () => 0.5) {
  const tried: string[] = [];
  const attempt = async (leaf: RouteNode) => {
    tried.push(leaf.path!);
    const status = Number(leaf.name);
    if (leaf.name === 'bad-request') throw new InvalidRequestError('bad');
    if (Number.isInteger(status)) throw failWith(status);
    return leaf.path!;
  };
  try {
    return { answered: await walkRoute(planRoute(config, {}), attempt, { query, random }), tried };
  } catch (error) {
    return { error: error as Error & { statusCode?: number }, tried };
  }
}

describe('walkRoute', () => {
  it('moves through fallbacks at every depth until one answers', async () => {
    const result = await walk({
      strategy: { mode: 'fallback' },
      targets: [
        { strategy: { mode: 'fallback', on_status_codes: [503] }, targets: [{ name: '500' }, { name: 'never' }] },
        { name: '429' },
        { name: 'ok' },
      ],
    });
    // The inner fallback does not move on for a 500; the outer one does.
    expect(result.tried).toEqual(['config.targets[0].targets[0]', 'config.targets[1]', 'config.targets[2]']);
    expect(result.answered).toBe('config.targets[2]');
  });

  it('throws the last failure when every target fails', async () => {
    const result = await walk({ strategy: { mode: 'fallback' }, targets: [{ name: '500' }, { name: '502' }] });
    expect(result.error?.statusCode).toBe(502);
  });

  it('answers a mistake of the request at once instead of moving on', async () => {
    const result = await walk({ strategy: { mode: 'fallback' }, targets: [{ name: 'bad-request' }, { name: 'ok' }] });
    expect(result.error).toBeInstanceOf(InvalidRequestError);
    expect(result.tried).toEqual(['config.targets[0]']);
  });

  it('does not fall back from a load-balanced choice to its siblings', async () => {
    const result = await walk({ strategy: { mode: 'loadbalance' }, targets: [{ name: '500' }, { name: 'ok', weight: 0 }] });
    expect(result.error?.statusCode).toBe(500);
    expect(result.tried).toEqual(['config.targets[0]']);
  });

  it('takes the first matching condition, else the default', async () => {
    const config: RoutingConfig = {
      strategy: {
        mode: 'conditional',
        conditions: [
          { query: { 'metadata.plan': 'pro' }, then: 'pro' },
          { query: { 'metadata.plan': { $in: ['pro', 'team'] } }, then: 'team' },
        ],
        default: 'free',
      },
      targets: [{ name: 'free' }, { name: 'team' }, { name: 'pro' }],
    };
    expect((await walk(config, { metadata: { plan: 'pro' }, params: {} })).answered).toBe('config.targets[2]');
    expect((await walk(config, { metadata: { plan: 'team' }, params: {} })).answered).toBe('config.targets[1]');
    expect((await walk(config, { metadata: {}, params: {} })).answered).toBe('config.targets[0]');
  });

  it('attempts a config without targets as the target itself', async () => {
    expect((await walk({ name: 'ok' })).answered).toBe('config');
  });
});
