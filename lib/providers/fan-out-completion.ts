/**
 * Runs a fan-out plan: parallel single calls with bounded concurrency, merged into one OpenAI
 * answer with OpenAI's choice indexing (`index = prompt_index * n + j`) and summed usage.
 * A failed call aborts the others: a partial answer is never passed off as a whole one.
 */
import type { Usage } from '../api/completion-response.ts';
import type { ProviderResult } from './call-provider.ts';
import type { MappingWarning } from './map-parameters.ts';
import { mergedIndex, type FanOutPlan, type PlannedCall } from './plan-fan-out.ts';
import type { CompletionPart } from './provider.ts';

/** Upstream calls in flight at once for one caller request (a provider's rate limit is per key). */
export const FAN_OUT_CONCURRENCY = 4;

export type SingleCall = (planned: PlannedCall, signal: AbortSignal) => Promise<ProviderResult>;

/**
 * Completes every planned call and merges them. For streams, the first wave's first parts have
 * arrived before this resolves (so those failures can still be retried or fall back); later
 * calls start as earlier streams end, and their failures become the stream's in-band error.
 */
export async function fanOutCompletion(
  plan: FanOutPlan,
  stream: boolean,
  single: SingleCall,
  options: { signal?: AbortSignal | undefined },
): Promise<ProviderResult> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(options.signal!.reason);
  if (options.signal?.aborted) throw options.signal.reason;
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const release = () => options.signal?.removeEventListener('abort', onCallerAbort);

  if (!stream) {
    try {
      const results = await mapWithConcurrency(plan.count, FAN_OUT_CONCURRENCY, (position) => single(plan.callAt(position), controller.signal), controller);
      return { kind: 'response', part: mergeResponses(plan, results), warnings: mergeWarnings(plan.warnings, results) };
    } finally {
      release();
    }
  }

  const firstWave = Array.from({ length: Math.min(FAN_OUT_CONCURRENCY, plan.count) }, (_, position) => plan.callAt(position));
  let opened: ProviderResult[];
  try {
    opened = await allOrAbort(firstWave.map((planned) => single(planned, controller.signal)), controller);
  } catch (error) {
    release();
    throw error;
  }
  const streams = opened.map((result, position) => ({ planned: firstWave[position]!, parts: streamOf(result) }));
  const warnings = mergeWarnings(plan.warnings, opened);
  return {
    kind: 'stream',
    warnings,
    parts: interleave(plan, streams, firstWave.length, single, controller, release),
  };
}

/** Choices of every call, re-indexed and in OpenAI order; usage summed (none when no call reported any); the first call's id and model. */
export function mergeResponses(plan: FanOutPlan, results: ProviderResult[]): CompletionPart {
  const merged: CompletionPart = { choices: [] };
  let usage: Usage | undefined;
  results.forEach((result, position) => {
    const part = result.kind === 'response' ? result.part : { choices: [] };
    const planned = plan.callAt(position);
    if (merged.id === undefined && part.id) merged.id = part.id;
    if (merged.model === undefined && part.model) merged.model = part.model;
    if (merged.system_fingerprint === undefined && part.system_fingerprint) merged.system_fingerprint = part.system_fingerprint;
    for (const choice of part.choices) merged.choices.push(remapChoice(plan, planned, choice, true));
    if (part.usage) usage = usage ? sumUsage(usage, part.usage) : part.usage;
  });
  merged.choices.sort((a, b) => a.index - b.index);
  if (usage) merged.usage = usage;
  return merged;
}

/** Warnings of the gateway and of every call, each parameter reported once per kind. */
function mergeWarnings(own: MappingWarning[], results: ProviderResult[]): MappingWarning[] {
  const seen = new Set<string>();
  const merged: MappingWarning[] = [];
  for (const warning of [...own, ...results.flatMap((result) => result.warnings)]) {
    const key = `${warning.type}:${warning.param}`;
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(warning);
  }
  return merged;
}

type Choice = CompletionPart['choices'][number];

function remapChoice(plan: FanOutPlan, planned: PlannedCall, choice: Choice, first: boolean): Choice {
  const index = mergedIndex(planned, plan.n, choice.index);
  const echo = first && plan.echoPrompts ? plan.echoPrompts[Math.floor(index / plan.n)] ?? '' : '';
  return { ...choice, index, text: echo + choice.text };
}

function sumUsage(a: Usage, b: Usage): Usage {
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}

function streamOf(result: ProviderResult): AsyncIterator<CompletionPart> {
  if (result.kind === 'stream') return result.parts[Symbol.asyncIterator]();
  // A provider may answer a stream request whole; it is then a one-part stream.
  return (async function* () {
    yield result.part;
  })();
}

/** A call started while the merged stream runs: opened on the first pull, so the others keep flowing meanwhile. */
async function* openLater(planned: PlannedCall, single: SingleCall, signal: AbortSignal): AsyncGenerator<CompletionPart> {
  const parts = streamOf(await single(planned, signal));
  try {
    while (true) {
      const next = await parts.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await parts.return?.();
  }
}

interface OpenStream {
  planned: PlannedCall;
  parts: AsyncIterator<CompletionPart>;
}

/**
 * Yields the parts of all streams as they arrive, re-indexed (echo on each choice's first
 * text). Usage parts pass through; the renderer sums them. Any failure, or the consumer
 * stopping early, aborts every call still open.
 */
async function* interleave(
  plan: FanOutPlan,
  initial: OpenStream[],
  /** The position of the first call not yet started; the later ones are built as they start. */
  nextPosition: number,
  single: SingleCall,
  controller: AbortController,
  release: () => void,
): AsyncGenerator<CompletionPart> {
  const started = new Set<number>();
  type Next = { stream: OpenStream; result: IteratorResult<CompletionPart> };
  const inFlight = new Map<OpenStream, Promise<Next>>();
  const pull = (stream: OpenStream) => {
    const next = stream.parts.next().then((result) => ({ stream, result }));
    // Handled here so that a failure while the consumer is busy is never an unhandled rejection;
    // the next race still sees it.
    next.catch(() => undefined);
    inFlight.set(stream, next);
  };
  let next = nextPosition;
  let completed = false;
  try {
    for (const stream of initial) pull(stream);
    while (inFlight.size > 0) {
      const { stream, result } = await Promise.race(inFlight.values());
      if (result.done) {
        inFlight.delete(stream);
        if (next < plan.count) {
          const planned = plan.callAt(next++);
          pull({ planned, parts: openLater(planned, single, controller.signal) });
        }
        continue;
      }
      pull(stream);
      const part = result.value;
      const choices = part.choices.map((choice) => {
        const index = mergedIndex(stream.planned, plan.n, choice.index);
        const first = !started.has(index);
        started.add(index);
        return remapChoice(plan, stream.planned, choice, first);
      });
      yield { ...part, choices };
    }
    completed = true;
  } finally {
    if (!completed) {
      controller.abort(new Error('fan-out ended early'));
      // The pending next() calls now reject with the abort; their rejections are already handled.
      for (const stream of inFlight.keys()) void stream.parts.return?.(undefined).catch(() => undefined);
    }
    release();
  }
}

/** Runs `work` over positions 0..count-1, at most `limit` at once, results in order; the first failure aborts the rest. */
async function mapWithConcurrency<R>(count: number, limit: number, work: (position: number) => Promise<R>, controller: AbortController): Promise<R[]> {
  const results = new Array<R>(count);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure) {
      const position = next++;
      try {
        results[position] = await work(position);
      } catch (error) {
        if (!failure) failure = { error };
        controller.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** Promise.all that aborts the siblings (and closes the streams that did open) when one fails. */
async function allOrAbort(calls: Array<Promise<ProviderResult>>, controller: AbortController): Promise<ProviderResult[]> {
  const settled = await Promise.allSettled(
    calls.map((call) =>
      call.catch((error: unknown) => {
        controller.abort(error);
        throw error;
      }),
    ),
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (!failed) return settled.map((result) => (result as PromiseFulfilledResult<ProviderResult>).value);
  for (const result of settled) {
    if (result.status === 'fulfilled' && result.value.kind === 'stream') void result.value.parts[Symbol.asyncIterator]().return?.();
  }
  throw firstRealError(settled);
}

/** The error that started the failure, not the aborts it caused in the others. */
function firstRealError(settled: PromiseSettledResult<unknown>[]): unknown {
  const reasons = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected').map((result) => result.reason);
  return reasons.find((reason) => !(reason instanceof Error && reason.name === 'AbortError')) ?? reasons[0];
}
