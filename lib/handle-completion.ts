/**
 * The gateway's one core function: a request in, an OpenAI answer out.
 * Web-standard inputs and outputs only; the Lambda adapter and the local server translate.
 *
 * How a request flows (README → Layout keeps this list):
 * 1. readRequestOptions: the headers, read once, into typed options;
 * 2. parseCompletionRequest: the body, validated once;
 * 3. readConfigHeader: the config, inline or stored, parsed and memoised;
 * 4. planRoute: headers + config into a tree with inheritance resolved;
 * 5. routeCompletion: walk the tree; per attempt resolveTarget (keys, provider, host guard),
 *    override_params, then the target middlewares (the seam) around completeWithProvider;
 * 6. render: JSON or SSE, headers from the route outcome.
 */
import type { CompletionRequest } from './api/completion-request.ts';
import { parseCompletionRequest } from './api/completion-request.ts';
import type { Usage } from './api/completion-response.ts';
import { renderResponse, renderStream } from './api/render-completion.ts';
import type { CustomHostGuard } from './config/custom-host-guard.ts';
import { readConfigHeader } from './config/read-config-header.ts';
import { readRequestOptions } from './config/read-request-options.ts';
import type { Headers } from './config/target-from-headers.ts';
import type { CallerIdentity, KeyStore } from './keys/key-store.ts';
import { describeUnresolvedName } from './keys/unresolved-name.ts';
import { describeError, log } from './log.ts';
import { planRoute } from './routing/plan-route.ts';
import { routeCompletion } from './routing/route-completion.ts';
import { lastAttempt, renderRoutingHeaders, type RouteOutcome } from './routing/route-outcome.ts';
import { routingOptionsFromEnv, type RoutingOptions } from './routing/routing-options.ts';
import type { TargetMiddleware } from './routing/target-middleware.ts';
import { estimateAnswerUsage } from './usage/estimate-tokens.ts';

/** Says that the answer's `usage` is the gateway's count, not the provider's (JSON answers; a stream's headers go out before it is known). */
export const USAGE_ESTIMATED_HEADER = 'x-portkey-usage-estimated';

export interface GatewayRequest {
  /** Header names lower-cased. */
  headers: Headers;
  /** The parsed JSON body, not yet validated. */
  body: unknown;
  traceId: string;
  /** The IAM caller, from API Gateway's request context. */
  caller: CallerIdentity;
  /** The one cancellation: aborted when the caller goes away; reaches every upstream call. */
  signal?: AbortSignal | undefined;
  /**
   * Filled as routing runs (see route-outcome.ts). The edge creates it, so that an error
   * answer carries the routing headers too and the usage record sees every attempt.
   */
  outcome: RouteOutcome;
}

/** What the answer carried, known once its last byte is written. */
export interface AnswerSummary {
  stream: boolean;
  /** As the provider reported it, summed over parts (and fan-out); else the estimate the caller was sent. */
  usage: Usage | undefined;
  /** True when `usage` is the gateway's estimate (the provider reported none): the record keeps the same numbers. */
  usageEstimated?: boolean;
  /** A stream's in-band error (after the first byte), if it ended with one. */
  streamError: unknown;
  /** A stream's text as sent so far: what the usage record counts when no usage came or the caller left. */
  sentTexts?: string[];
}

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** JSON text, or SSE text chunks in the order they must be sent. */
  body: string | AsyncIterable<string>;
  /** Complete for JSON at once; for a stream once its body has ended. */
  summary: AnswerSummary;
}

export interface GatewayDependencies {
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore | undefined;
  /** Randomness, sleeping and the retry / idle limits; tests inject them. Defaults from the environment. */
  routing?: Partial<RoutingOptions> | undefined;
  /** The seam around each provider call (usage, limits, cache), outermost first. */
  middlewares?: readonly TargetMiddleware[] | undefined;
}

// Read once per container, like every other setting.
const defaultRoutingOptions = routingOptionsFromEnv();

/**
 * @throws GatewayError for a refused or failed request; `request.outcome` then says how far
 *   routing got, for the error answer's headers.
 */
export async function handleCompletion(request: GatewayRequest, dependencies: GatewayDependencies): Promise<GatewayResponse> {
  const params = parseCompletionRequest(request.body);
  const options = readRequestOptions(request.headers);
  const { outcome } = request;
  // Recorded before the read, so that a refused stored config is in the usage record too; until it
  // resolves the id is the caller's text (maybe a pasted key), recorded only by fingerprint.
  const storedConfig = options.config !== undefined && !options.config.startsWith('{') ? options.config : undefined;
  if (storedConfig !== undefined) outcome.storedConfig = describeUnresolvedName(storedConfig);
  // Most requests name no config: no read, and no turn of the promise machinery for one.
  const config =
    options.config === undefined
      ? undefined
      : await readConfigHeader(options.config, { customHostGuard: dependencies.customHostGuard, keyStore: dependencies.keyStore, caller: request.caller });
  if (storedConfig !== undefined) outcome.storedConfig = storedConfig;

  const result = await routeCompletion(planRoute(config, options.targetDefaults, options.cache.config), params, {
    headers: options.headers,
    customHostGuard: dependencies.customHostGuard,
    keyStore: dependencies.keyStore,
    caller: request.caller,
    signal: request.signal,
    metadata: options.metadata,
    options: dependencies.routing ? { ...defaultRoutingOptions, ...dependencies.routing } : defaultRoutingOptions,
    traceId: request.traceId,
    strict: options.strict,
    outcome,
    middlewares: dependencies.middlewares,
    cacheForceRefresh: options.cache.forceRefresh,
  });

  const headers: Record<string, string> = renderRoutingHeaders(outcome, { 'x-portkey-trace-id': request.traceId });
  // The model sent upstream answers for a provider that names none (override_params may change it).
  const model = sentModel(outcome, params);
  if (result.kind === 'response') {
    headers['content-type'] = 'application/json';
    let part = result.part;
    let usageEstimated = false;
    if (part.usage === undefined) {
      const usage = await estimateCallerUsage(outcome, params, part.choices.map((choice) => choice.text), request.traceId);
      if (usage !== undefined) {
        part = { ...part, usage };
        usageEstimated = true;
        headers[USAGE_ESTIMATED_HEADER] = 'true';
      }
    }
    return {
      statusCode: 200,
      headers,
      body: JSON.stringify(renderResponse(part, { model })),
      summary: { stream: false, usage: part.usage, usageEstimated, streamError: undefined },
    };
  }
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  const sentTexts: string[] = [];
  const summary: AnswerSummary = { stream: true, usage: undefined, streamError: undefined, sentTexts };
  return {
    statusCode: 200,
    headers,
    summary,
    body: renderStream(result.parts, {
      model,
      includeUsage: params.stream_options?.include_usage === true,
      onError: (error) => log.warn('stream failed after the first byte', { traceId: request.traceId, ...describeError(error) }),
      onSent: (part) => {
        for (const choice of part.choices) if (choice.text) sentTexts.push(choice.text);
      },
      estimateUsage: () => estimateCallerUsage(outcome, params, sentTexts, request.traceId),
      onEnd: (end) => {
        summary.usage = end.usage;
        summary.usageEstimated = end.usageEstimated;
        summary.streamError = end.error;
      },
    }),
  };
}

/**
 * The caller's usage when the provider reported none: the same estimate the usage record keeps
 * (the prompt sent upstream, the text sent). Undefined when the tokenizer fails to load: the
 * answer then says zeros and the record counts on its own.
 */
async function estimateCallerUsage(outcome: RouteOutcome, params: CompletionRequest, texts: readonly string[], traceId: string): Promise<Usage | undefined> {
  try {
    const estimate = await estimateAnswerUsage(lastAttempt(outcome)?.params?.prompt ?? params.prompt, texts);
    return { prompt_tokens: estimate.promptTokens, completion_tokens: estimate.completionTokens, total_tokens: estimate.promptTokens + estimate.completionTokens };
  } catch (error) {
    log.warn('token estimate failed', { traceId, ...describeError(error) });
    return undefined;
  }
}

function sentModel(outcome: RouteOutcome, params: CompletionRequest): string {
  return lastAttempt(outcome)?.params?.model ?? params.model;
}
