/**
 * Limits on the seam (lib/routing/target-middleware.ts), outermost, so a cache hit is counted too.
 * Each attempt reserves (requests 1, tokens and cost of the estimate) alongside its upstream call
 * and holds only the first byte (the JSON answer, a stream's first part) until the reservation has
 * answered; a refusal aborts the upstream and becomes the answer. After the answer, each counter
 * is corrected by what was used (a cache hit: a request, no tokens, no cost); a failed attempt
 * gives its reservation back, so retries and fallbacks count once.
 * Every answer carries the `x-ratelimit-*` headers of the tightest rule.
 */
import type { Usage } from '../api/completion-response.ts';
import { log } from '../log.ts';
import type { ProviderResult } from '../providers/call-provider.ts';
import type { CompletionPart } from '../providers/provider.ts';
import type { TargetAttempt, TargetMiddleware } from '../routing/target-middleware.ts';
import { abortOnRefusal } from './abort-on-refusal.ts';
import type { Limiter, LimitUsage, Reservation } from './create-limiter.ts';
import { actualAttemptUsage, type AttemptEstimate, estimateAttemptUsage } from './estimate-attempt-usage.ts';
import type { LoadLimitsDocument } from './load-limits-document.ts';

export interface LimitsMiddlewareOptions {
  limiter: Limiter;
  loadDocument: LoadLimitsDocument;
  /**
   * Work left after the answer (settling, releasing), handed over unstarted: the wiring starts it
   * once the answer is out, so its CPU is not on the caller's path. Default: start it at once.
   */
  track?: (work: () => Promise<void>) => void;
  /** The store failed and `allow` served the request uncounted (the limiter has logged it). */
  onStoreError?: (attempt: TargetAttempt) => void;
  /** Tests replace the tokenizer-and-price estimate. */
  estimate?: (attempt: TargetAttempt) => Promise<AttemptEstimate>;
}

const NOTHING_USED: LimitUsage = { tokens: 0, costUsd: 0 };

export function createLimitsMiddleware(options: LimitsMiddlewareOptions): TargetMiddleware {
  const { limiter, loadDocument, onStoreError } = options;
  const track = options.track ?? ((work: () => Promise<void>) => void work().catch(() => undefined));
  const estimateOf = options.estimate ?? estimateAttemptUsage;

  return (next) =>
    async function limitAttempt(attempt) {
      // Most deployments have no document: then a request costs no controller, no turn of the loop
      // and no settling (~10% of the local server's CPU per request). The read still runs, off the
      // request's path, so a document added later applies from the next request on.
      if (loadDocument.foundNone?.()) {
        loadDocument().catch(() => undefined);
        return next(attempt);
      }
      let estimated: Promise<AttemptEstimate> | undefined;
      const estimate = () => (estimated ??= estimateOf(attempt));
      // The upstream gets its own signal: the caller leaving aborts it, and so does a refusal.
      const upstream = new AbortController();
      const callerSignal = attempt.signal;
      if (callerSignal?.aborted) upstream.abort(callerSignal.reason);
      else callerSignal?.addEventListener('abort', () => upstream.abort(callerSignal.reason), { once: true });

      const subject = { caller: attempt.caller, virtualKey: attempt.virtualKey };
      // Started on the next turn of the event loop: the upstream request is written first, and the
      // SDK's CPU for the reservation (serialising, signing three calls) overlaps the provider's wait
      // instead of delaying its request.
      const reserving = abortOnRefusal(
        nextTurn().then(loadDocument).then((document) => (document ? limiter.reserve(document, subject, estimate) : undefined)),
        upstream,
      );
      const [called, reserved] = await Promise.allSettled([next({ ...attempt, signal: upstream.signal }), reserving]);

      if (reserved.status === 'rejected') {
        if (called.status === 'fulfilled') close(called.value, reserved.reason);
        throw reserved.reason;
      }
      const reservation = reserved.value;
      if (!reservation) {
        if (called.status === 'rejected') throw called.reason;
        return called.value;
      }
      for (const name in reservation.headers) attempt.setHeader(name, reservation.headers[name]!);
      if (reservation.storeError) onStoreError?.(attempt);
      if (called.status === 'rejected') {
        track(() => reservation.release());
        throw called.reason;
      }

      const result = called.value;
      const priced = reservation.units.has('cost');
      const counted = priced || reservation.units.has('tokens');
      if (result.cached || !counted) {
        track(() => reservation.settle(NOTHING_USED));
        return result;
      }
      if (result.kind === 'response') {
        const reported = result.part.usage ? [result.part.usage] : [];
        const texts = reported.length > 0 ? [] : result.part.choices.map((choice) => choice.text);
        track(() => actualAttemptUsage(attempt, reported, texts, estimate, { priced }).then((actual) => reservation.settle(actual), settleFailed(attempt)));
        return result;
      }
      return { ...result, parts: settleAtEnd(result.parts, reservation, (reported, texts) => actualAttemptUsage(attempt, reported, texts, estimate, { priced }), track, attempt) };
    };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Settles when the stream ends, whether it ran out, failed or the caller left (then on what was sent). */
async function* settleAtEnd(
  parts: AsyncIterable<CompletionPart>,
  reservation: Reservation,
  actual: (reported: readonly Usage[], texts: readonly string[]) => Promise<LimitUsage>,
  track: (work: () => Promise<void>) => void,
  attempt: TargetAttempt,
): AsyncGenerator<CompletionPart> {
  const reported: Usage[] = [];
  const texts: string[] = [];
  try {
    for await (const part of parts) {
      if (part.usage) reported.push(part.usage);
      else if (reported.length === 0) for (const choice of part.choices) texts.push(choice.text);
      yield part;
    }
  } finally {
    track(() => actual(reported, texts).then((used) => reservation.settle(used), settleFailed(attempt)));
  }
}

/** Counting the actual use failed (the tokenizer or price table did not load): keep the estimate reserved. */
function settleFailed(attempt: TargetAttempt) {
  return (error: unknown) => {
    log.warn('limits kept the estimate; the actual use could not be counted', { traceId: attempt.traceId, error: String(error) });
  };
}

/** A refused attempt's answer is dropped: its stream is closed so the upstream connection goes. */
function close(result: ProviderResult, reason: unknown): void {
  if (result.kind !== 'stream') return;
  result.cancel?.(reason instanceof Error ? reason : new Error(String(reason)));
  result.parts[Symbol.asyncIterator]().return?.().catch(() => undefined);
}
