/**
 * One upstream call, the same for every provider: build the request from the mapped
 * parameters, send it, read an error status, and turn what comes back into completion parts.
 * A stream is returned only once its first part has arrived, so that every failure before the
 * first byte can still be retried or routed elsewhere.
 */
import { readBodyText, sendUpstream } from '../upstream/send-upstream.ts';
import { buildUpstreamRequest } from './build-upstream-request.ts';
import type { MappingWarning } from './map-parameters.ts';
import { parseUpstreamJson } from './parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall } from './provider.ts';
import { toUpstreamError } from './read-upstream-error.ts';
import { createEventDecoder, createStreamTransform, readUpstreamStream } from './read-upstream-stream.ts';

export type ProviderResult =
  | {
      kind: 'response';
      part: CompletionPart;
      warnings: MappingWarning[];
      /** Served by the response cache: no provider was called (limits count a request, no tokens; usage costs 0). */
      cached?: true;
    }
  | {
      kind: 'stream';
      parts: AsyncIterable<CompletionPart>;
      warnings: MappingWarning[];
      /** Served by the response cache: no provider was called (limits count a request, no tokens; usage costs 0). */
      cached?: true;
      /** Tears the stream's upstream down at once (the caller went away); set by routing. */
      cancel?: (reason: Error) => void;
    };

/** Error bodies are read up to this size: the status alone still tells the caller what happened. */
const MAXIMUM_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * @param mapped the call's parameters, already mapped through the provider's table (once per attempt, see plan-fan-out.ts).
 * @param warnings what mapping and planning reported, passed through to the result.
 */
export async function callProvider(
  provider: Provider,
  call: ProviderCall,
  mapped: Readonly<Record<string, unknown>>,
  options: { signal?: AbortSignal | undefined; warnings?: MappingWarning[] },
): Promise<ProviderResult> {
  const warnings = options.warnings ?? [];
  const request = await buildUpstreamRequest(provider, call, mapped);
  const response = await sendUpstream(request, { provider: provider.name, signal: options.signal });

  if (response.statusCode < 200 || response.statusCode >= 300) {
    let text = '';
    try {
      text = await readBodyText(response.body, MAXIMUM_ERROR_BODY_BYTES);
    } catch {
      // The status alone still tells the caller what happened.
    }
    throw toUpstreamError(provider.name, provider.errorFormat, { statusCode: response.statusCode, headers: response.headers, text });
  }

  if (!call.stream) {
    const text = await readBodyText(response.body);
    return { kind: 'response', part: provider.parseResponse(parseUpstreamJson(text, provider.name), call, response.headers), warnings };
  }

  let parts;
  try {
    parts = readUpstreamStream(provider, createStreamTransform(provider, call), await createEventDecoder(provider), response.body);
  } catch (error) {
    response.body.destroy();
    throw error;
  }
  await parts.ready();
  return { kind: 'stream', parts, warnings };
}
