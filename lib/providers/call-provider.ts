/**
 * One upstream call: build the provider's request, send it, and turn what comes back into
 * completion parts. A stream is returned only once its first part has arrived, so that every
 * failure before the first byte can still be retried or routed elsewhere.
 */
import { UpstreamError } from '../api/errors.ts';
import { decodeAwsEventStream } from '../upstream/decode-aws-event-stream.ts';
import { decodeSse } from '../upstream/decode-sse.ts';
import { readBodyText, sendUpstream, type UpstreamResponse } from '../upstream/send-upstream.ts';
import type { MappingWarning } from './map-parameters.ts';
import { parseUpstreamJson } from './parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall, UpstreamEvent } from './provider.ts';
import { parseRetryAfter, readUpstreamError } from './read-upstream-error.ts';

export type ProviderResult =
  | { kind: 'response'; part: CompletionPart; warnings: MappingWarning[] }
  | {
      kind: 'stream';
      parts: AsyncIterable<CompletionPart>;
      warnings: MappingWarning[];
      /** Tears the stream's upstream down at once (the caller went away); set by routing. */
      cancel?: (reason: Error) => void;
    };

/** Decoders from upstream bytes to typed events, by a provider's `streamFormat`. */
type EventDecoder = (body: AsyncIterable<Uint8Array>) => AsyncIterable<UpstreamEvent>;
const decoders: Record<Provider['streamFormat'], EventDecoder> = {
  sse: decodeSse,
  // Static: the Bedrock provider is always bundled, and the codec itself loads on first use.
  'aws-event-stream': decodeAwsEventStream,
};

export async function callProvider(
  provider: Provider,
  call: ProviderCall,
  options: { signal?: AbortSignal | undefined },
): Promise<ProviderResult> {
  const { request, warnings } = await provider.buildRequest(call);
  const response = await sendUpstream(request, { provider: provider.name, signal: options.signal });

  if (response.statusCode < 200 || response.statusCode >= 300) throw await toUpstreamError(provider, response);

  if (!call.stream) {
    const text = await readBodyText(response.body);
    return { kind: 'response', part: provider.parseResponse(parseUpstreamJson(text, provider.name), call, response.headers), warnings };
  }

  const decode = decoders[provider.streamFormat];
  const iterator = streamParts(provider, call, decode(response.body))[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    return { kind: 'stream', parts: prepend(first, iterator), warnings };
  } catch (error) {
    response.body.destroy();
    throw error;
  }
}

async function* streamParts(provider: Provider, call: ProviderCall, events: AsyncIterable<UpstreamEvent>): AsyncGenerator<CompletionPart> {
  const transform = provider.createStreamTransform(call);
  try {
    for await (const event of events) {
      for (const part of transform.transform(event)) yield part;
    }
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError(`The connection to ${provider.name} broke during the stream.`, {
      provider: provider.name,
      statusCode: 502,
      code: 'stream_interrupted',
      isConnectionError: true,
      cause: error,
    });
  }
  for (const part of transform.flush()) yield part;
}

/**
 * `first`, then the rest of the iterator. A plain iterator object, not an async generator: a
 * generator layer costs a few promises per stream event. Like the generator it replaces,
 * `return()` ends this view without touching `rest` (the upstream is torn down by the abort).
 */
function prepend<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncIterable<T> {
  let pending: IteratorResult<T> | undefined = first;
  let ended = first.done === true;
  const iterator: AsyncIterator<T> = {
    next() {
      if (ended) return Promise.resolve({ done: true, value: undefined });
      if (pending !== undefined) {
        const result = pending;
        pending = undefined;
        return Promise.resolve(result);
      }
      return rest.next().then((result) => {
        if (result.done) ended = true;
        return result.done ? { done: true, value: undefined } : result;
      });
    },
    return(value?: unknown) {
      ended = true;
      pending = undefined;
      return Promise.resolve({ done: true, value: value as T });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

async function toUpstreamError(provider: Provider, response: UpstreamResponse): Promise<UpstreamError> {
  let text = '';
  try {
    text = await readBodyText(response.body, 1024 * 1024);
  } catch {
    // The status alone still tells the caller what happened.
  }
  const { message, code, type } = provider.parseError?.(response.statusCode, text, response.headers) ?? readUpstreamError(text);
  const retryAfterSeconds = parseRetryAfter(response.headers);
  return new UpstreamError(message || `${provider.name} answered ${response.statusCode}`, {
    provider: provider.name,
    statusCode: response.statusCode,
    ...(type ? { type } : {}),
    code: code ?? null,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}
