/**
 * What routing did for one request, recorded once while it runs and read by everyone after it:
 * the answer's headers (success and error alike), the log, and the usage record. Routing
 * returns only the provider's result; every routing fact travels up here.
 */
import type { CompletionRequest } from '../api/completion-request.ts';
import type { MappingWarning } from '../providers/map-parameters.ts';
import type { Pricing } from '../usage/compute-cost-usd.ts';

/** One target tried (its retries included). */
export interface TargetAttemptRecord {
  /** Portkey's path of the target, e.g. `config.targets[1]`; undefined without a config. */
  path: string | undefined;
  /** Undefined when the target failed before its provider was known. */
  provider: string | undefined;
  virtualKey: string | undefined;
  /** The request after `override_params`: what was sent (its `model` is the model asked upstream). */
  params: CompletionRequest | undefined;
  /** The resolved target's `pricing` (config or virtual key), for the usage record. */
  pricing?: Pricing | undefined;
  /** Retries made on this target after its first try. */
  retries: number;
  warnings: MappingWarning[];
  /** Why the target was given up; undefined for the answering target. */
  error?: unknown;
}

export interface RouteOutcome {
  /** The stored config id, when `x-portkey-config` named one. */
  storedConfig: string | undefined;
  /** In the order tried; the last is the answering (or last failed) target. */
  attempts: TargetAttemptRecord[];
  /** Headers added by target middlewares (`x-ratelimit-*`, `x-portkey-cache-status`), for every answer. */
  headers: Record<string, string>;
}

export function createRouteOutcome(): RouteOutcome {
  return { storedConfig: undefined, attempts: [], headers: {} };
}

export function lastAttempt(outcome: RouteOutcome): TargetAttemptRecord | undefined {
  return outcome.attempts[outcome.attempts.length - 1];
}

/**
 * The routing headers of an answer, success or error: `x-portkey-last-used-option-index`,
 * `x-portkey-provider`, `x-portkey-retry-attempt-count`, what the provider could not honour
 * (`x-portkey-dropped-params` / `x-portkey-clamped-params`), and the middlewares' headers;
 * added to `headers` (returned) when given, after what it holds.
 */
export function renderRoutingHeaders(outcome: RouteOutcome, headers: Record<string, string> = {}): Record<string, string> {
  const last = lastAttempt(outcome);
  // Refused before routing: no routing facts to tell.
  if (last) headers['x-portkey-retry-attempt-count'] = String(last.retries);
  if (last?.path) headers['x-portkey-last-used-option-index'] = last.path;
  if (last?.provider) headers['x-portkey-provider'] = last.provider;
  if (last && last.warnings.length > 0) Object.assign(headers, warningHeaders(last.warnings));
  for (const name in outcome.headers) headers[name] = outcome.headers[name]!;
  return headers;
}

function warningHeaders(warnings: readonly MappingWarning[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const dropped = [...new Set(warnings.filter((warning) => warning.type === 'dropped').map((warning) => warning.param))];
  const clamped = [...new Set(warnings.filter((warning) => warning.type === 'clamped').map((warning) => warning.param))];
  if (dropped.length > 0) headers['x-portkey-dropped-params'] = dropped.join(',');
  if (clamped.length > 0) headers['x-portkey-clamped-params'] = clamped.join(',');
  return headers;
}
