import { isKnownProvider } from '../providers/provider-lookup.ts';

/**
 * Whether and how metrics are written, from the environment, read once per container:
 * - `GATEWAY_METRICS` = `emf` to write Embedded Metric Format lines (the stack sets it), else off;
 * - `GATEWAY_METRICS_NAMESPACE` (default `LlmGateway`);
 * - `GATEWAY_METRICS_MODELS`: the models that keep their name in the `Model` dimension, a comma
 *   list of names or `prefix*` patterns. Every other model is `other`. Default: none, so every model
 *   is `other` until the operator names them: each distinct value is 12 more custom metrics billed
 *   monthly, and callers choose the model string. Per-model tokens and cost without bound are in
 *   the usage records (Logs Insights), not here.
 */
export interface MetricsSettings {
  enabled: boolean;
  namespace: string;
  /** The `Model` dimension value for a model name. */
  modelDimension: (model: string | null) => string;
}

export const DEFAULT_METRICS_NAMESPACE = 'LlmGateway';
/** The dimension value of every model outside `GATEWAY_METRICS_MODELS` (and of an unknown provider). */
export const OTHER_MODEL = 'other';
/** The dimension value when no provider or model was reached (a request refused before routing). */
export const NO_TARGET = 'none';

/**
 * The `Provider` dimension value: a provider of the registry keeps its name; any other name (a
 * caller can send any `x-portkey-provider`, refused or not) is `other`, so callers cannot create
 * metrics, which CloudWatch bills per distinct dimension value.
 */
export function providerDimension(provider: string | null): string {
  if (provider === null || provider === '') return NO_TARGET;
  return isKnownProvider(provider) ? provider : OTHER_MODEL;
}

export function readMetricsSettings(env: NodeJS.ProcessEnv = process.env): MetricsSettings {
  const namespace = env.GATEWAY_METRICS_NAMESPACE?.trim();
  return {
    enabled: env.GATEWAY_METRICS?.trim().toLowerCase() === 'emf',
    namespace: namespace ? namespace : DEFAULT_METRICS_NAMESPACE,
    modelDimension: createModelDimension(env.GATEWAY_METRICS_MODELS ?? ''),
  };
}

/**
 * @example
 * const dimension = createModelDimension('gpt-4o-mini, claude-3-*');
 * dimension('claude-3-haiku-20240307'); // 'claude-3-haiku-20240307'
 * dimension('my-fine-tune');            // 'other'
 */
export function createModelDimension(list: string): (model: string | null) => string {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of list.split(',').map((item) => item.trim()).filter(Boolean)) {
    if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  return (model) => {
    if (model === null || model === '') return NO_TARGET;
    if (exact.has(model) || prefixes.some((prefix) => model.startsWith(prefix))) return model;
    return OTHER_MODEL;
  };
}
