import type { Context } from 'aws-lambda';
import type { AnswerSummary } from '../../lib/handle-completion.ts';
import type { KeyStore } from '../../lib/keys/key-store.ts';
import type { RouteOutcome } from '../../lib/routing/route-outcome.ts';

/** The Lambda context plus what the edge and our middlewares establish for the handler. */
export interface GatewayContext extends Context {
  /** From `x-portkey-trace-id`, or generated; echoed on every response. */
  traceId: string;
  /** The validated-as-JSON body (the schema is checked in the core). */
  parsedBody: unknown;
  /** The container's virtual keys and stored configs, logging each use (middlewares/key-store.ts). */
  keyStore?: KeyStore;
  /** Aborted when the response stream closes before the answer is complete (the caller went away). */
  signal: AbortSignal;
  /** What routing did; the error handler renders its headers too. */
  outcome: RouteOutcome;
  /** What was answered, for `onRequestFinished`: set by the handler or the error handler. */
  answer?: { statusCode: number; errorCode: string | null; summary?: AnswerSummary | undefined; firstByteAt?: number | undefined };
}
