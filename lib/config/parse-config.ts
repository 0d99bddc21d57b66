/**
 * `x-portkey-config` → a validated `RoutingConfig`. Keys are normalised first, then the shape
 * is checked with zod, then what a schema cannot say: strategies need targets, conditional
 * names must exist, providers must be known, custom hosts must pass the guard. Every problem
 * is collected, so one 400 lists all of them with their paths.
 */
import { InvalidRequestError } from '../api/errors.ts';
import { checkJsonBounds } from '../api/check-json-bounds.ts';
import { listProblems } from '../api/list-problems.ts';
import { formatIssuePath } from '../api/zod.ts';
import { isKnownProvider, providerNames } from '../providers/provider-lookup.ts';
import { validateQuery } from '../routing/evaluate-query.ts';
import type { CustomHostGuard } from './custom-host-guard.ts';
import { normalizeConfigKeys } from './normalize-config-keys.ts';
import { routingConfigSchema, type RoutingConfig } from './routing-config.ts';

export const CONFIG_HEADER = 'x-portkey-config';

export interface ParseConfigOptions {
  /** Checks each `custom_host`; absent for configs trusted as a whole. */
  customHostGuard?: CustomHostGuard | undefined;
}

/**
 * @example parseConfig({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { provider: 'openai', customHost: 'http://127.0.0.1:8000/v1' }] }, { customHostGuard })
 * @throws InvalidRequestError (400, param `x-portkey-config`) listing every bad path and why.
 */
export function parseConfig(raw: unknown, options: ParseConfigOptions = {}): RoutingConfig {
  checkConfigBounds(raw);
  const { value, conflicts } = normalizeConfigKeys(raw);
  const problems = conflicts.map((path) => `${path}: given both in snake_case and camelCase`);
  const result = routingConfigSchema().safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...describeIssue(issue));
    throw invalidConfig(problems);
  }
  checkNode(result.data, 'config', options, problems);
  checkSize(result.data, problems);
  if (problems.length > 0) throw invalidConfig(problems);
  return result.data;
}

/**
 * Real configs are a few levels and a few hundred values (8 levels of targets is ~17 levels of
 * JSON; a 64 KB stored config holds a few thousand values); the bound is checked before anything
 * recurses into the value (lib/api/check-json-bounds.ts).
 */
const CONFIG_BOUNDS = { maxDepth: 32, maxNodes: 10_000 };

/** @throws InvalidRequestError (400) for a config nested too deep or too large to walk. */
export function checkConfigBounds(raw: unknown): void {
  const problem = checkJsonBounds(raw, CONFIG_BOUNDS);
  if (problem) throw invalidConfig([`config: ${problem}`]);
}

function checkNode(node: RoutingConfig, path: string, options: ParseConfigOptions, problems: string[]): void {
  const { strategy, targets } = node;
  if (node.provider !== undefined && !isKnownProvider(node.provider)) {
    problems.push(`${path}.provider: unknown provider "${node.provider}"; known: ${providerNames.join(', ')}`);
  }
  if (node.custom_host !== undefined && options.customHostGuard) {
    try {
      options.customHostGuard.check(node.custom_host, CONFIG_HEADER);
    } catch (error) {
      problems.push(`${path}.custom_host: ${(error as Error).message}`);
    }
  }
  // Refused whether or not this node is ever tried: a config must not work only on some requests.
  if (node.cache?.mode === 'semantic') problems.push(`${path}.cache.mode: the semantic cache is not supported by this gateway; use "simple"`);
  if (strategy && !targets) problems.push(`${path}.targets: required when a strategy is given`);
  if (strategy && targets) {
    if (strategy.mode === 'loadbalance' && !targets.some((target) => (target.weight ?? 1) > 0)) {
      problems.push(`${path}.targets: loadbalance needs at least one target with a weight above 0`);
    }
    if (strategy.mode === 'conditional') checkConditional(node, path, problems);
  }
  targets?.forEach((target, index) => checkNode(target, `${path}.targets[${index}]`, options, problems));
}

/**
 * Every target may cost upstream calls (times its retries), so a config of hundreds would let
 * one request fan out into thousands; real configs hold a handful.
 */
const MAX_CONFIG_TARGETS = 64;
const MAX_CONFIG_DEPTH = 8;

function checkSize(config: RoutingConfig, problems: string[]): void {
  let count = 0;
  let deepest = 0;
  const visit = (node: RoutingConfig, depth: number) => {
    deepest = Math.max(deepest, depth);
    for (const child of node.targets ?? []) {
      count++;
      visit(child, depth + 1);
    }
  };
  visit(config, 0);
  if (count > MAX_CONFIG_TARGETS) problems.push(`config: ${count} targets in all; at most ${MAX_CONFIG_TARGETS} are allowed`);
  if (deepest > MAX_CONFIG_DEPTH) problems.push(`config: targets nest ${deepest} levels deep; at most ${MAX_CONFIG_DEPTH} are allowed`);
}

function checkConditional(node: RoutingConfig, path: string, problems: string[]): void {
  const strategy = node.strategy!;
  const names = new Set(node.targets!.map((target) => target.name).filter((name) => name !== undefined));
  if (!strategy.conditions || strategy.conditions.length === 0) {
    problems.push(`${path}.strategy.conditions: conditional mode needs at least one condition`);
  }
  strategy.conditions?.forEach((condition, index) => {
    const at = `${path}.strategy.conditions[${index}]`;
    problems.push(...validateQuery(condition.query, `${at}.query`));
    if (!names.has(condition.then)) problems.push(`${at}.then: no target named "${condition.then}" in ${path}.targets`);
  });
  if (strategy.default !== undefined && !names.has(strategy.default)) {
    problems.push(`${path}.strategy.default: no target named "${strategy.default}" in ${path}.targets`);
  }
}

function describeIssue(issue: { code: string; message: string; path: ReadonlyArray<PropertyKey>; keys?: string[] }): string[] {
  const path = joinPath('config', formatIssuePath(issue.path));
  if (issue.code === 'unrecognized_keys' && issue.keys) return issue.keys.map((key) => `${path}.${key}: unknown field`);
  return [`${path}: ${issue.message}`];
}

function joinPath(root: string, rest: string): string {
  if (rest === '') return root;
  return rest.startsWith('[') ? `${root}${rest}` : `${root}.${rest}`;
}

function invalidConfig(problems: string[]): InvalidRequestError {
  return new InvalidRequestError(`Invalid ${CONFIG_HEADER}: ${listProblems(problems)}`, { param: CONFIG_HEADER, code: 'invalid_config' });
}
