/**
 * The `x-portkey-config` format (DESIGN.md → Contracts → Config), after key normalisation:
 * a node is a target (provider, keys, host) and/or a strategy over nested `targets`. The schema is
 * built on first use (lib/api/lazy.ts): only a request with a config pays for it.
 * @see https://portkey.ai/docs/api-reference/inference-api/config-object
 */
import { lazy } from '../api/lazy.ts';
import { z } from '../api/zod.ts';
import { targetFieldsShape, type TargetFields } from './target.ts';

export const STRATEGY_MODES = ['single', 'fallback', 'loadbalance', 'conditional'] as const;
export type StrategyMode = (typeof STRATEGY_MODES)[number];

export interface ConditionalRule {
  /** `{"metadata.plan": {"$eq": "paid"}}`, `{"$or": [...]}`; see evaluate-query.ts. */
  query: Record<string, unknown>;
  /** The `name` of a target of the same node. */
  then: string;
}

export interface Strategy {
  mode: StrategyMode;
  /** fallback: move on only when the failed attempt's status is one of these. */
  on_status_codes?: number[];
  conditions?: ConditionalRule[];
  default?: string;
}

export interface RetrySettings {
  /** Retries after the first try (0..5). */
  attempts: number;
  on_status_codes?: number[];
  use_retry_after_header?: boolean;
}

/** A config node: a target's fields (target.ts) plus how to route among nested targets. */
export interface RoutingConfig extends TargetFields {
  strategy?: Strategy;
  targets?: RoutingConfig[];
  name?: string;
  weight?: number;
  retry?: RetrySettings;
  cache?: { mode: 'simple' | 'semantic'; max_age?: number };
}

const statusCode = () => z.number().check(z.int(), z.gte(100), z.lte(599));
const nonEmpty = () => z.string().check(z.minLength(1));

export const routingConfigSchema = lazy((): z.ZodMiniType<RoutingConfig> => {
  const strategySchema = z.strictObject({
    mode: z.enum(STRATEGY_MODES),
    on_status_codes: z.optional(z.array(statusCode())),
    conditions: z.optional(z.array(z.strictObject({ query: z.record(z.string(), z.unknown()), then: nonEmpty() }))),
    default: z.optional(nonEmpty()),
  });

  const retrySchema = z.strictObject({
    attempts: z.number().check(z.int(), z.gte(0), z.lte(5)),
    on_status_codes: z.optional(z.array(statusCode())),
    use_retry_after_header: z.optional(z.boolean()),
  });

  const nodeSchema: z.ZodMiniType<RoutingConfig> = z.strictObject({
    strategy: z.optional(strategySchema),
    get targets() {
      return z.optional(z.array(nodeSchema).check(z.minLength(1)));
    },
    name: z.optional(nonEmpty()),
    weight: z.optional(z.number().check(z.gte(0))),
    retry: z.optional(retrySchema),
    cache: z.optional(z.strictObject({ mode: z.enum(['simple', 'semantic']), max_age: z.optional(z.number().check(z.gte(0))) })),
    ...targetFieldsShape(),
  });
  return nodeSchema;
});

/** The fields of a config node that describe a provider target (everything but routing). */
export function targetFieldsOf(node: RoutingConfig): TargetFields {
  const { strategy: _strategy, targets: _targets, name: _name, weight: _weight, retry: _retry, cache: _cache, ...fields } = node;
  return fields;
}
