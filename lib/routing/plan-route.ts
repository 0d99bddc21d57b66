/**
 * Turns headers + config into the tree the router walks. Inheritance is resolved here, once:
 * each node's `target` already holds everything its parents gave it, so an attempt only has
 * to resolve keys. The request headers are the root's defaults; config fields override them;
 * a child overrides its parent; `override_params` merge key by key (child wins).
 */
import { inheritCacheConfig, type CacheConfig } from '../cache/cache-settings.ts';
import type { RetrySettings, RoutingConfig, Strategy } from '../config/routing-config.ts';
import { targetFieldsOf } from '../config/routing-config.ts';
import { CREDENTIAL_FIELDS, type ProviderTarget } from '../config/target.ts';

export interface RouteNode {
  /** Portkey's path of this node (`config.targets[0].targets[1]`); undefined without a config. */
  path: string | undefined;
  /** Target fields after inheritance (provider, keys, host, override_params, timeouts, ...). */
  target: Partial<ProviderTarget>;
  retry: RetrySettings | undefined;
  /** The response cache's `cache` after inheritance (a child's replaces its parent's whole); the headers' form at the root. */
  cache: CacheConfig | undefined;
  strategy: Strategy | undefined;
  children: RouteNode[];
  name: string | undefined;
  /** Load-balancing weight; Portkey's default is 1. */
  weight: number;
}

/**
 * Credentials come as a set (target.ts): a node that names its own key, or a virtual key (which
 * names a stored one), drops every inherited one, so `Authorization` never rides along to a
 * target that brought its own key.
 */
const OWN_CREDENTIAL_FIELDS = [...CREDENTIAL_FIELDS, 'virtual_key'] as const;

/**
 * @example planRoute({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }] }, { api_key: 'sk-from-authorization' })
 *   .children[0].target // { provider: 'openai', api_key: 'sk-from-authorization' }
 */
export function planRoute(config: RoutingConfig | undefined, defaults: Partial<ProviderTarget>, defaultCache?: CacheConfig): RouteNode {
  if (!config) return { path: undefined, target: defaults, retry: undefined, cache: defaultCache, strategy: undefined, children: [], name: undefined, weight: 1 };
  return planNode(config, 'config', defaults, undefined, defaultCache);
}

function planNode(
  config: RoutingConfig,
  path: string,
  inherited: Partial<ProviderTarget>,
  inheritedRetry: RetrySettings | undefined,
  inheritedCache: CacheConfig | undefined,
): RouteNode {
  const target = inheritTarget(inherited, targetFieldsOf(config));
  const retry = config.retry ?? inheritedRetry;
  const cache = inheritCacheConfig(inheritedCache, config.cache);
  return {
    path,
    target,
    retry,
    cache,
    strategy: config.strategy,
    children: (config.targets ?? []).map((child, index) => planNode(child, `${path}.targets[${index}]`, target, retry, cache)),
    name: config.name,
    weight: config.weight ?? 1,
  };
}

function inheritTarget(parent: Partial<ProviderTarget>, own: Partial<ProviderTarget>): Partial<ProviderTarget> {
  const target: Partial<ProviderTarget> = { ...parent };
  if (OWN_CREDENTIAL_FIELDS.some((field) => own[field] !== undefined)) {
    for (const field of OWN_CREDENTIAL_FIELDS) delete target[field];
  }
  for (const [field, value] of Object.entries(own) as Array<[keyof ProviderTarget, unknown]>) {
    if (value !== undefined) (target as Record<string, unknown>)[field] = value;
  }
  if (parent.override_params && own.override_params) target.override_params = { ...parent.override_params, ...own.override_params };
  return target;
}
