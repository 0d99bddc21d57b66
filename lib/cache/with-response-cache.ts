/**
 * The cache as one step around "complete one target", for the seam: look up (unless disabled or
 * refreshing), short-circuit with a stored answer, otherwise complete and store what came back —
 * a JSON answer at once, a stream through `observeParts` at its clean end. Returns the status for
 * `x-portkey-cache-status` and the usage record. Knows nothing of routing or providers: the
 * result types are structural (the engine's `ProviderResult` fits).
 */
import type { CompletionPart } from '../providers/provider.ts';
import { initialCacheStatus, type CacheSettings, type CacheStatus } from './cache-settings.ts';
import { observeParts } from './observe-parts.ts';
import { replayParts } from './replay-parts.ts';
import type { ResponseCache } from './response-cache.ts';

export type CacheableResult = { kind: 'response'; part: CompletionPart } | { kind: 'stream'; parts: AsyncIterable<CompletionPart> };

/** A hit, in the engine's result shape (no mapping warnings: nothing was mapped), marked `cached` for usage and limits. */
export type CacheHitResult =
  | { kind: 'response'; part: CompletionPart; warnings: []; cached: true }
  | { kind: 'stream'; parts: AsyncIterable<CompletionPart>; warnings: []; cached: true };

export interface ResponseCacheStep<Result extends CacheableResult> {
  cache: ResponseCache;
  settings: CacheSettings;
  /** `cacheKey(...)` of this target's request; only computed when the cache is enabled. */
  key: () => string | Promise<string>;
  /** Whether the caller asked to stream (a hit is replayed then). */
  stream: boolean;
  complete: () => Promise<Result>;
  traceId?: string;
  /**
   * Receives each write as it starts (never rejecting), so the edge can wait for them before the
   * invocation ends (a frozen Lambda finishes nothing).
   */
  onWrite?: (write: Promise<unknown>) => void;
  /** The caller's signal: once it aborted, nothing is stored (an answer nobody received is not one to replay). */
  signal?: AbortSignal | undefined;
}

export async function withResponseCache<Result extends CacheableResult>(
  step: ResponseCacheStep<Result>,
): Promise<{ status: CacheStatus; result: Result | CacheHitResult }> {
  const { cache, settings } = step;
  const status = initialCacheStatus(settings);
  if (!settings.enabled) return { status, result: await step.complete() };
  const key = await step.key();
  const context = { traceId: step.traceId };

  if (status === 'MISS') {
    const stored = await cache.lookup(key, context);
    if (stored) {
      const result: CacheHitResult = step.stream
        ? { kind: 'stream', parts: replayParts(stored), warnings: [], cached: true }
        : { kind: 'response', part: stored, warnings: [], cached: true };
      return { status: 'HIT', result };
    }
  }

  const result = await step.complete();
  const save = (whole: CompletionPart) => {
    if (step.signal?.aborted) return;
    const write = cache.save(key, whole, settings.maxAgeSeconds, context);
    step.onWrite?.(write);
  };
  if (result.kind === 'response') {
    save(result.part);
    return { status, result };
  }
  return { status, result: { ...result, parts: observeParts(result.parts, save) } };
}
