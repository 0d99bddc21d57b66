/**
 * The facts of one request once its last byte is written, its error answered, or its caller
 * gone: what the usage record (DESIGN.md → Usage record), metrics and limit settlement read.
 * The edge hands one of these to `onRequestFinished`, exactly once per request.
 */
import type { Usage } from './api/completion-response.ts';
import type { CallerIdentity } from './keys/key-store.ts';
import type { RouteOutcome } from './routing/route-outcome.ts';

export interface FinishedRequest {
  traceId: string;
  caller: CallerIdentity;
  /** Every target tried (path, provider, virtual key, effective params, retries, warnings, error). */
  outcome: RouteOutcome;
  /** The status the caller got; 499 when it went away before the answer began. */
  statusCode: number;
  /** The OpenAI error code of an error answer, or of a stream's in-band error. */
  errorCode: string | null;
  stream: boolean;
  /** As the provider reported it, summed over parts and fan-out; undefined when none came. */
  usage: Usage | undefined;
  /** True when `usage` is the gateway's own count, the one the caller's answer carried (the provider reported none). */
  usageEstimated?: boolean;
  /**
   * A stream's choice texts as sent to the caller (empty for JSON): counted only when no usage
   * came or the caller left. Never logged.
   */
  sentTexts: readonly string[];
  /** True when the caller went away before the last byte. */
  callerGone: boolean;
  latencyMs: number;
  /** To the first body byte handed to the response stream; undefined when none was. */
  firstByteMs: number | undefined;
}

/**
 * Runs after the caller has its last byte; the edge awaits it before the invocation ends (Lambda
 * freezes a container once its handler returns, and a record left pending would be lost).
 * A returned promise is awaited; it must not throw or reject.
 */
export type RequestFinishedHook = (finished: FinishedRequest) => unknown;
