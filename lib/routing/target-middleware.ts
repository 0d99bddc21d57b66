/**
 * The seam around "complete one target": every try of a target runs through a chain of
 * middlewares before its provider call, so usage recording, limits and the cache plug in here
 * without routing or providers knowing about them (like Middy's middlewares, or Bifrost's
 * pre/post LLM hooks with a short-circuit).
 *
 * A middleware gets `next` and returns a function of the same shape. It may
 * - act before the call: reserve a limit, and refuse with a `GatewayError` (its
 *   `responseHeaders` reach the answer; a 4xx of the gateway's own is not fallen back from);
 * - short-circuit: return a `ProviderResult` without calling `next` (a cache hit);
 * - observe or wrap the result: `next(attempt)` resolves when the answer (a stream: its first
 *   part) is there; wrap `result.parts` to see every part and the end of a stream;
 * - add headers to the answer, success or error: `attempt.setHeader('x-ratelimit-…', …)`;
 * - run work alongside the call: start it, call `next`, await both (hold the first byte only).
 *
 * @example
 * const cacheStatus: TargetMiddleware = (next) => async (attempt) => {
 *   attempt.setHeader('x-portkey-cache-status', 'MISS');
 *   return next(attempt);
 * };
 */
import type { CacheRequest } from '../cache/cache-settings.ts';
import type { CallerIdentity } from '../keys/key-store.ts';
import type { ProviderResult } from '../providers/call-provider.ts';
import type { Provider, ProviderCall } from '../providers/provider.ts';

export interface TargetAttempt {
  readonly provider: Provider;
  /** Params after `override_params` (the effective request), the resolved target, stream, strict. */
  readonly call: ProviderCall;
  /** Portkey's path of the target (`config.targets[1]`); undefined without a config. */
  readonly path: string | undefined;
  /** The credential's identity for scoping (cache, limits): the virtual key's name, if one was used. */
  readonly virtualKey: string | undefined;
  /** The target's `cache` after inheritance and the request's force refresh; read by the cache middleware only. */
  readonly cache: CacheRequest;
  /** 0 for the first try of this target. */
  readonly retry: number;
  readonly traceId: string | undefined;
  readonly caller: CallerIdentity;
  /** Aborted when the caller goes away; pass it on to any I/O of your own. */
  readonly signal: AbortSignal | undefined;
  /** Adds a header to the answer (success or error); the last value set wins. */
  setHeader(name: string, value: string): void;
}

export type CompleteTarget = (attempt: TargetAttempt) => Promise<ProviderResult>;
export type TargetMiddleware = (next: CompleteTarget) => CompleteTarget;

/** `[a, b]` around `call` runs a → b → call: the first middleware is the outermost. */
export function composeTargetMiddlewares(middlewares: readonly TargetMiddleware[], call: CompleteTarget): CompleteTarget {
  return middlewares.reduceRight<CompleteTarget>((next, middleware) => middleware(next), call);
}
