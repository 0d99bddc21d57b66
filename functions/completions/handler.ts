/**
 * The Lambda entry point: API Gateway REST proxy event in, a streamed HTTP response out.
 * A thin Middy edge around `handleCompletion`; the same handler runs under `npm start`.
 *
 * `createCompletionsHandler(dependencies)` builds one with explicit dependencies (tests);
 * `handler` is the deployed one, built from the environment at cold start.
 */
import { Readable, type Writable } from 'node:stream';
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequestError, toGatewayError } from '../../lib/api/errors.ts';
import { CACHE_STATUS_HEADER } from '../../lib/cache/cache-settings.ts';
import { handleCompletion, type GatewayDependencies } from '../../lib/handle-completion.ts';
import type { KeyStore } from '../../lib/keys/key-store.ts';
import { describeError, log, setLogRequestId } from '../../lib/log.ts';
import { monotonicMs } from '../../lib/monotonic-ms.ts';
import type { RequestFinishedHook } from '../../lib/request-finished.ts';
import { createRouteOutcome } from '../../lib/routing/route-outcome.ts';
import { dependenciesFromEnv } from './dependencies-from-env.ts';
import type { GatewayContext } from './gateway-context.ts';
import { jsonBody } from './middlewares/json-body.ts';
import { callerOf, keyStore } from './middlewares/key-store.ts';
import { openAIErrorHandler } from './middlewares/openai-error-handler.ts';
import { requestContext } from './middlewares/request-context.ts';

export interface CompletionsDependencies extends GatewayDependencies {
  keyStore: KeyStore;
  /** Start reading the header's virtual key before the body is parsed (default true). */
  prefetchVirtualKey?: boolean;
  /**
   * Called once per request after its last byte (or its error answer, or its caller going away):
   * where the usage record, metrics and limit settlement plug in. Must not throw.
   */
  onRequestFinished?: RequestFinishedHook | undefined;
  /**
   * Work the request left running that must end before the invocation does (cache writes, limit
   * corrections): awaited after the last byte and the usage record, since a frozen Lambda finishes
   * nothing. Must not reject.
   */
  settle?: (() => Promise<void>) | undefined;
}

export interface StreamingResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Readable;
}

type StreamingHandler = (event: APIGatewayProxyEvent, responseStream: Writable, context: GatewayContext) => Promise<void>;

/** The caller going away, as the abort reason every upstream call sees. */
const CALLER_GONE = 'caller disconnected';

export function createCompletionsHandler(dependencies: CompletionsDependencies): StreamingHandler {
  const { keyStore: store, prefetchVirtualKey = true, onRequestFinished, settle, ...core } = dependencies;

  async function completions(event: APIGatewayProxyEvent, context: GatewayContext): Promise<StreamingResult> {
    if (event.httpMethod !== 'POST') {
      throw new InvalidRequestError(`Method ${event.httpMethod} is not allowed; use POST.`, { statusCode: 405, code: 'method_not_allowed' });
    }
    const response = await handleCompletion(
      {
        headers: event.headers as Record<string, string>,
        body: context.parsedBody,
        traceId: context.traceId,
        caller: callerOf(event),
        signal: context.signal,
        outcome: context.outcome,
      },
      { ...core, keyStore: context.keyStore },
    );
    const { statusCode, headers, body, summary } = response;
    const answer: NonNullable<GatewayContext['answer']> = { statusCode, errorCode: null, summary };
    context.answer = answer;
    if (typeof body === 'string') {
      answer.firstByteAt = monotonicMs();
      return { statusCode, headers, body };
    }
    return { statusCode, headers, body: toReadable(body, () => (answer.firstByteAt ??= monotonicMs())) };
  }

  const middyHandler = middy<APIGatewayProxyEvent, StreamingResult, Error, GatewayContext>({
    executionMode: executionModeStreamifyResponse,
    timeoutEarlyInMillis: 0,
  })
    .use(httpHeaderNormalizer())
    .use(requestContext())
    .use(openAIErrorHandler())
    .use(keyStore({ store, prefetch: prefetchVirtualKey }))
    .use(jsonBody())
    .handler(completions) as unknown as StreamingHandler;

  /**
   * The one cancellation: the response stream closing before the answer is complete (locally
   * the socket closing, on Lambda the runtime's stream closing or failing) aborts `context.signal`,
   * which reaches every upstream call, retry wait and fallback of the request.
   */
  async function completionsHandler(event: APIGatewayProxyEvent, responseStream: Writable, context: GatewayContext): Promise<void> {
    const startedAt = monotonicMs();
    // Every log line of this invocation carries its id (one invocation at a time per container).
    setLogRequestId(context.awsRequestId);
    const controller = new AbortController();
    const onClose = () => {
      if (!responseStream.writableFinished) controller.abort(new Error(CALLER_GONE));
    };
    responseStream.once('close', onClose);
    responseStream.once('error', onClose);
    context.signal = controller.signal;
    context.outcome = createRouteOutcome();
    // Every answer says whether the cache served it; the cache middleware overwrites this for each
    // target it sees, so only answers refused before a target was tried keep it.
    context.outcome.headers[CACHE_STATUS_HEADER] = 'DISABLED';
    try {
      await middyHandler(event, responseStream, context);
    } finally {
      responseStream.off('close', onClose);
      responseStream.off('error', onClose);
      if (onRequestFinished) await finish(onRequestFinished, event, context, startedAt, controller.signal.aborted);
      if (settle) await settle().catch((error: unknown) => log.error('settling background work failed', { traceId: context.traceId, ...describeError(error) }));
    }
  }
  // Marks it as a response-streaming handler for the runtime (Middy marked only its own).
  return awslambda.streamifyResponse(completionsHandler as unknown as Parameters<typeof awslambda.streamifyResponse>[0]) as unknown as StreamingHandler;
}

async function finish(onRequestFinished: RequestFinishedHook, event: APIGatewayProxyEvent, context: GatewayContext, startedAt: number, callerGone: boolean): Promise<void> {
  const answer = context.answer;
  const summary = answer?.summary;
  const streamError = summary?.streamError === undefined ? undefined : toGatewayError(summary.streamError);
  const latencyMs = monotonicMs() - startedAt;
  // An error answer is written at once, just before this: its first byte is its last.
  const firstByteAt = answer?.firstByteAt ?? (answer && !callerGone ? startedAt + latencyMs : undefined);
  try {
    await onRequestFinished({
      traceId: context.traceId,
      caller: callerOf(event),
      outcome: context.outcome,
      statusCode: callerGone && answer?.firstByteAt === undefined ? 499 : (answer?.statusCode ?? 500),
      errorCode: answer?.errorCode ?? (streamError ? (streamError.code ?? streamError.type) : null),
      stream: summary?.stream ?? false,
      usage: summary?.usage,
      usageEstimated: summary?.usageEstimated ?? false,
      sentTexts: summary?.sentTexts ?? [],
      callerGone,
      latencyMs,
      firstByteMs: firstByteAt === undefined ? undefined : firstByteAt - startedAt,
    });
  } catch (error) {
    log.error('onRequestFinished failed', { traceId: context.traceId, ...describeError(error) });
  }
}

/**
 * Middy pipes this into the response stream and destroys it when the caller goes away; the
 * upstream is then torn down by the aborted signal. Not `Readable.from`: its destroy waits for
 * the pending upstream read, which for a stalled stream ends only once the abort has landed.
 * In object mode, so that an SSE string reaches the response stream as it is (a byte-mode
 * Readable would first copy each one into a Buffer of its own).
 */
function toReadable(chunks: AsyncIterable<string>, onFirstChunk: () => void): Readable {
  const iterator = chunks[Symbol.asyncIterator]();
  let first = true;
  // Made once per answer, not per chunk.
  const onNext = (next: IteratorResult<string>) => {
    if (next.done) {
      readable.push(null);
      return;
    }
    if (first) {
      first = false;
      onFirstChunk();
    }
    readable.push(next.value);
  };
  const onError = (error: unknown) => readable.destroy(error as Error);
  const readable = new Readable({
    objectMode: true,
    read() {
      iterator.next().then(onNext, onError);
    },
    destroy(error, callback) {
      // Let the renderer's `finally` run (its stream summary), without waiting on a pending read.
      iterator.return?.().catch(() => {});
      callback(error);
    },
  });
  return readable;
}

const deployed = dependenciesFromEnv();
export const handler = createCompletionsHandler(deployed);
/** The in-process counters' use, for the local server's `GET /limits/usage` (`npm run usage`). */
export const readLimitsUsage = deployed.readLimitsUsage;
