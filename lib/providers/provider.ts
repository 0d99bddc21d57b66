/**
 * What a provider module declares: its wire format plus how to reach it. Capabilities (which
 * prompts it takes, what the gateway emulates for it), a parameter table, how a call becomes
 * `{path, headers, body}`, and pure readers of its responses, stream events and errors.
 * The engine (call-provider.ts) does the rest once for every provider: it maps the parameters,
 * builds the URL, sends, reads errors, decodes the stream and detects truncation.
 */
import type { CompletionRequest } from '../api/completion-request.ts';
import type { FinishReason, Logprobs, Usage } from '../api/completion-response.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { AwsStreamEvent } from '../upstream/decode-aws-event-stream.ts';
import type { SseEvent } from '../upstream/decode-sse.ts';
import type { UpstreamRequest } from '../upstream/upstream-request.ts';
import type { UpstreamErrorFormat } from './read-upstream-error.ts';
import type { ParameterTable } from './map-parameters.ts';

export type { AwsStreamEvent } from '../upstream/decode-aws-event-stream.ts';
export type UpstreamEvent = SseEvent | AwsStreamEvent;

/**
 * A piece of a completion in OpenAI terms, before the gateway stamps id, object and created.
 * A whole response is one part with every choice and the usage; a stream is many parts.
 */
export interface CompletionPart {
  id?: string;
  /** The model the upstream says answered, when it reports one. */
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

/**
 * A provider's reader of its stream events, state in its closure. It never decides whether a
 * stream was cut short: it says whether it saw its terminal event, and the engine does the rest.
 */
export interface StreamReader {
  /** Parts carried by one upstream event ([] for pings). Throws `UpstreamError` for an error event. */
  read(event: UpstreamEvent): CompletionPart[];
  /**
   * After the last event: the parts still owed (e.g. usage), or `undefined` when the stream
   * never reached its terminal event (`[DONE]`, `message_stop`, a finish reason...).
   */
  end(): CompletionPart[] | undefined;
}

/** Both halves of reading a stream, with truncation already checked (see `createStreamTransform`). */
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

/** What a provider makes of one call: the engine adds the base URL, common headers and JSON. */
export interface ProviderRequest {
  /** Path (and query) below the base URL, e.g. `/completions`. */
  path: string;
  /** The provider's own headers (auth, API version); they win over forwarded ones. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The parameter table that applies to one call, and the name its warnings give the provider. */
export interface SelectedParameters {
  table: ParameterTable;
  label: string;
}

export interface Provider {
  readonly name: string;
  /** How the upstream frames its stream. */
  readonly streamFormat: 'sse' | 'aws-event-stream';
  /** What ends a complete stream (`[DONE]`, `message_stop`...), named in the error for a truncated one. */
  readonly streamEnd: string;
  /**
   * What the upstream accepts as `prompt`: `arrays` — a string[] batch (with `n`) answered with
   * OpenAI choice indexing; `tokens` — token-id arrays. Otherwise the gateway fans out or refuses.
   */
  readonly prompts: { arrays: boolean; tokens: boolean };
  /** What the gateway does itself because the upstream cannot: `n` by fan-out, `echo` by prepending the prompt. */
  readonly emulated: { n: boolean; echo: boolean };
  /**
   * The parameter table, keyed by OpenAI names (read by the engine and `npm run docs:providers`).
   * Absent where the table depends on the call: then `selectParameters` chooses among `parameterVariants`.
   */
  readonly parameters?: ParameterTable;
  /** Tables per kind of call (Bedrock's model families, Mistral's chat or FIM), named for the docs. */
  readonly parameterVariants?: Readonly<Record<string, ParameterTable>>;
  /** The table for one call, where it depends on the call. */
  selectParameters?(call: ProviderCall): SelectedParameters;
  /** Base URL including any version prefix; `custom_host` replaces it. @throws InvalidRequestError for a missing field. */
  baseUrl(target: ProviderTarget): string;
  /**
   * The host (or host pattern) the provider's own base URL must have, checked just before
   * connecting. Required in spirit wherever `baseUrl` splices target fields into the host
   * (Azure's resource, Bedrock's region); the default is the host of `baseUrl(target)`.
   */
  expectedHost?(target: ProviderTarget): string | RegExp;
  /** Turns a call and its mapped parameters into the provider's request. */
  buildRequest(call: ProviderCall, mapped: Readonly<Record<string, unknown>>): ProviderRequest;
  /** Signs the final request (Bedrock's SigV4), once its URL, headers and body are final. */
  signRequest?(request: UpstreamRequest, call: ProviderCall): Promise<UpstreamRequest>;
  /**
   * Turns a successful JSON response body into one part holding every choice and the usage.
   * `headers` are the response's (Bedrock reports token counts there for some families).
   */
  parseResponse(body: unknown, call: ProviderCall, headers?: ResponseHeaders): CompletionPart;
  createStreamReader(call: ProviderCall): StreamReader;
  /** How the provider's error bodies look; a generic reader takes the common shapes when absent. */
  readonly errorFormat?: UpstreamErrorFormat;
}

/** Upstream response headers, names lower-cased (node:http's IncomingHttpHeaders fits). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;
