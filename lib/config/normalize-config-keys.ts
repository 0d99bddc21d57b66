/**
 * Portkey configs arrive in either key style: the REST docs write `custom_host`, the SDKs'
 * examples write `customHost`. Keys are turned into snake_case *before* validation, so a
 * camelCase field cannot slip past a check (the custom-host guard above all) that only knows
 * the snake_case name.
 */

/**
 * Fields whose values belong to someone else and keep their keys as written: request
 * parameters (`override_params`), caller metadata, and conditional queries
 * (`{"metadata.userPlan": {"$eq": "paid"}}` names a metadata key, not a config field).
 */
const OPAQUE_FIELDS: ReadonlySet<string> = new Set(['override_params', 'metadata', 'query']);

const UPPER_CASE = /[A-Z]/;

/** @example toSnakeCase('useRetryAfterHeader') // 'use_retry_after_header' */
export function toSnakeCase(key: string): string {
  // Most keys are already snake_case: skip the rewrite (this runs per key, per request).
  if (!UPPER_CASE.test(key)) return key;
  return key.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
}

export interface NormalizedConfig {
  value: unknown;
  /** Paths given in both styles (`custom_host` and `customHost`): ambiguous, so refused. */
  conflicts: string[];
}

/**
 * Deep copy of a parsed config with every key in snake_case, except inside opaque fields.
 *
 * @example normalizeConfigKeys({ targets: [{ customHost: 'http://x', overrideParams: { maxTokens: 1 } }] })
 * // value: { targets: [{ custom_host: 'http://x', override_params: { maxTokens: 1 } }] }
 */
export function normalizeConfigKeys(config: unknown): NormalizedConfig {
  const conflicts: string[] = [];
  const value = normalize(config, 'config', conflicts);
  return { value, conflicts };
}

function normalize(value: unknown, path: string, conflicts: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => normalize(item, `${path}[${index}]`, conflicts));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const name = toSnakeCase(key);
    if (Object.hasOwn(out, name)) conflicts.push(`${path}.${name}`);
    // defineProperty, not assignment: a `__proto__` key from JSON stays a plain (refused) field
    // instead of replacing the object's prototype.
    Object.defineProperty(out, name, {
      value: OPAQUE_FIELDS.has(name) ? child : normalize(child, `${path}.${name}`, conflicts),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
