/**
 * What a provider module declares. A provider is data first: a base URL, how it
 * authenticates, a parameter table, and pure transforms of its responses and stream events.
 * Only the shared transport does I/O.
 */
import type { CompletionRequest } from '../api/completion-request.ts';
import type { FinishReason, Logprobs, Usage } from '../api/completion-response.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { SseEvent } from '../upstream/decode-sse.ts';
import type { UpstreamRequest } from '../upstream/upstream-request.ts';
import type { MappingWarning, ParameterTable } from './map-parameters.ts';

/** One decoded AWS event-stream message (Bedrock), headers already read. */
export interface AwsStreamEvent {
  kind: 'aws';
  /** `:message-type`: `event` or `exception`. */
  messageType: string;
  /** `:event-type` (e.g. `chunk`) or `:exception-type` (e.g. `throttlingException`). */
  eventType: string;
  payload: Uint8Array;
}

export type UpstreamEvent = SseEvent | AwsStreamEvent;

/**
 * A piece of a completion in OpenAI terms, before the gateway stamps id, object and created.
 * A whole response is one part with every choice and the usage; a stream is many parts.
 */
export interface CompletionPart {
  id?: string;
  model?: string;
  system_fingerprint?: string | null;
  choices: Array<{
    index: number;
    text: string;
    logprobs: Logprobs | null;
    finish_reason: FinishReason | null;
  }>;
  usage?: Usage;
}

export interface StreamTransform {
  /** Parts carried by one upstream event ([] for pings). Throws `UpstreamError` for an error event. */
  transform(event: UpstreamEvent): CompletionPart[];
  /** Parts owed after the last event (e.g. usage). Throws when the stream ended before its terminal event. */
  flush(): CompletionPart[];
}

/** Everything a provider needs to build one upstream call. */
export interface ProviderCall {
  /** Validated OpenAI parameters, override_params applied. */
  params: CompletionRequest;
  target: ProviderTarget;
  stream: boolean;
  /** Caller headers named by `forward_headers`, to pass through unchanged. */
  forwardedHeaders: Record<string, string>;
  /** `x-portkey-strict-params: true`: refuse (400) instead of dropping or clamping. */
  strict: boolean;
}

export interface BuiltRequest {
  request: UpstreamRequest;
  warnings: MappingWarning[];
}

export interface Provider {
  readonly name: string;
  /** How the upstream frames its stream. */
  readonly streamFormat: 'sse' | 'aws-event-stream';
  /**
   * What the upstream accepts as `prompt`: `arrays` — a string[] batch (with `n`) answered with
   * OpenAI choice indexing; `tokens` — token-id arrays. Otherwise the gateway fans out or refuses.
   */
  readonly prompts: { arrays: boolean; tokens: boolean };
  /**
   * The provider's parameter table, read by the emulation engine (`n` / `echo` marked
   * `'emulated'` are fanned out / prepended by the gateway) and by `npm run docs:providers`.
   * Optional: a provider without one is treated as honouring `n` itself and is listed in the
   * matrix as "not declared"; nothing else changes.
   */
  readonly parameters?: ParameterTable;
  /**
   * Tables that replace `parameters` for some models (Bedrock's model families), keyed by the
   * models they apply to (`anthropic.*`); read by `npm run docs:providers` for one row each.
   */
  readonly parameterVariants?: Readonly<Record<string, ParameterTable>>;
  /** Maps the parameters and builds the HTTP request (async where it must sign). */
  buildRequest(call: ProviderCall): BuiltRequest | Promise<BuiltRequest>;
  /**
   * Turns a successful JSON response body into one part holding every choice and the usage.
   * `headers` are the response's (Bedrock reports token counts there for some families).
   */
  parseResponse(body: unknown, call: ProviderCall, headers?: ResponseHeaders): CompletionPart;
  createStreamTransform(call: ProviderCall): StreamTransform;
  /** Extracts a message (and code) from an error response body; a generic reader is used when absent. */
  parseError?(statusCode: number, bodyText: string, headers?: ResponseHeaders): { message: string; code?: string | null; type?: string };
}

/** Upstream response headers, names lower-cased (node:http's IncomingHttpHeaders fits). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;
