/**
 * The declarative parameter-mapping engine: a provider's table says, per OpenAI parameter,
 * where the value goes and within which range; anything the table does not name is dropped.
 * Mapping is data (Portkey's idea); dropping and clamping are reported, never silent.
 */
import type { CompletionRequest } from '../api/completion-request.ts';

/** Parameters every provider places itself in `buildRequest` rather than through a table. */
type StructuralParameter = 'model' | 'prompt' | 'stream' | 'stream_options';
export type MappedParameter = Exclude<keyof CompletionRequest, StructuralParameter>;

export interface ParameterRule {
  /** Provider name or dot path (`metadata.user_id`); defaults to the OpenAI name. */
  to?: string;
  /** The provider's own inclusive range; OpenAI-valid values outside it are clamped and reported. */
  range?: readonly [min: number, max: number];
  /** A pure conversion of the value (after clamping). */
  transform?: (value: never, params: CompletionRequest) => unknown;
  /** Set when the provider requires the field and the caller may omit it. */
  default?: unknown;
}

/**
 * Where each OpenAI parameter goes for one provider. A parameter missing from the table is
 * dropped when set (what the gateway emulates, `n` and `echo`, is declared on the provider).
 */
export type ParameterTable = { readonly [name in MappedParameter]?: ParameterRule };

export interface MappingWarning {
  type: 'dropped' | 'clamped';
  param: string;
  details: string;
}

/** Values that mean "not set" for OpenAI, so dropping them changes nothing worth reporting. */
const NEUTRAL_VALUES: Partial<Record<MappedParameter, unknown>> = {
  n: 1,
  best_of: 1,
  echo: false,
  frequency_penalty: 0,
  presence_penalty: 0,
};

/**
 * Maps OpenAI parameters into a provider body fragment.
 *
 * @example
 * mapParameters({ temperature: 1.5, stop: 'x' }, { temperature: { range: [0, 1] }, stop: { to: 'stop_sequences' } })
 * // { body: { temperature: 1, stop_sequences: 'x' }, warnings: [{ type: 'clamped', param: 'temperature', ... }] }
 * Strict mode is the planner's (plan-fan-out.ts): it refuses once what this reports.
 */
export function mapParameters(
  params: CompletionRequest,
  table: ParameterTable,
  options: { provider?: string } = {},
): { body: Record<string, unknown>; warnings: MappingWarning[] } {
  const body: Record<string, unknown> = {};
  const warnings: MappingWarning[] = [];
  const provider = options.provider ?? 'this provider';

  for (const [name, rule] of defaultsOf(table)) {
    if (params[name] === undefined) setPath(body, rule.to ?? name, rule.default);
  }

  for (const name of Object.keys(params) as Array<keyof CompletionRequest>) {
    if (name === 'model' || name === 'prompt' || name === 'stream' || name === 'stream_options') continue;
    let value: unknown = params[name];
    if (value === undefined) continue;
    const rule = table[name];
    if (rule === undefined) {
      if (NEUTRAL_VALUES[name] !== value) {
        warnings.push({ type: 'dropped', param: name, details: `${provider} does not support ${name}` });
      }
      continue;
    }
    if (rule.range && typeof value === 'number') {
      const [min, max] = rule.range;
      const clamped = Math.min(max, Math.max(min, value));
      if (clamped !== value) {
        warnings.push({ type: 'clamped', param: name, details: `${name} ${value} clamped to ${clamped}, the range of ${provider} is ${min}..${max}` });
        value = clamped;
      }
    }
    setPath(body, rule.to ?? name, rule.transform ? rule.transform(value as never, params) : value);
  }
  return { body, warnings };
}

/** The rules of a table that carry a default, listed once per table rather than per request. */
const tableDefaults = new WeakMap<ParameterTable, ReadonlyArray<readonly [MappedParameter, ParameterRule]>>();

function defaultsOf(table: ParameterTable): ReadonlyArray<readonly [MappedParameter, ParameterRule]> {
  let defaults = tableDefaults.get(table);
  if (defaults === undefined) {
    defaults = (Object.keys(table) as MappedParameter[]).flatMap((name) => {
      const rule = table[name];
      return rule === undefined || rule.default === undefined ? [] : [[name, rule] as const];
    });
    tableDefaults.set(table, defaults);
  }
  return defaults;
}

/** Sets `a.b.c` on an object, creating the intermediate objects. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  // Most names are one key: no split, no array.
  if (!path.includes('.')) {
    target[path] = value;
    return;
  }
  const keys = path.split('.');
  let node = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
