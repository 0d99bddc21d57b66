/**
 * One upstream call, the same for every provider: build the request from the mapped
 * parameters, send it, read an error status, and turn what comes back into completion parts.
 * A stream is returned only once its first part has arrived, so that every failure before the
 * first byte can still be retried or routed elsewhere.
 *
 * Every upstream error leaves here with the target's credentials scrubbed from it
 * (scrub-credentials.ts), before the stream's first part and after it alike.
 */
import { UpstreamError } from '../api/errors.ts';
import { readBodyText, sendUpstream } from '../upstream/send-upstream.ts';
import { buildUpstreamRequest } from './build-upstream-request.ts';
import { engineSettings } from './engine-settings.ts';
import type { MappingWarning } from './map-parameters.ts';
import { parseUpstreamJson } from './parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall } from './provider.ts';
import { toUpstreamError } from './read-upstream-error.ts';
import { createEventDecoder, createStreamTransform, readUpstreamStream } from './read-upstream-stream.ts';
import { credentialValuesOf, scrubUpstreamError } from './scrub-credentials.ts';
import { upstreamDestination } from './upstream-destination.ts';

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
  const scrub = (error: unknown): unknown => (error instanceof UpstreamError ? scrubUpstreamError(error, credentialValuesOf(call.target)) : error);
  try {
    return await callOnce(provider, call, mapped, options.warnings ?? [], options.signal, scrub);
  } catch (error) {
    throw scrub(error);
  }
}

async function callOnce(
  provider: Provider,
  call: ProviderCall,
  mapped: Readonly<Record<string, unknown>>,
  warnings: MappingWarning[],
  signal: AbortSignal | undefined,
  scrub: (error: unknown) => unknown,
): Promise<ProviderResult> {
  const request = await buildUpstreamRequest(provider, call, mapped);
  const response = await sendUpstream(request, { provider: provider.name, signal, ...upstreamDestination(provider, call.target) });
  const { statusCode } = response;

  if (statusCode < 200 || statusCode >= 300) {
    // An informational or redirect status is not an answer, and its Location is not the caller's to follow.
    if (statusCode < 400 || statusCode > 599) {
      response.body.destroy();
      throw new UpstreamError(`${provider.name} answered with the unexpected status ${statusCode}.`, {
        provider: provider.name,
        statusCode: 502,
        code: 'unexpected_upstream_status',
      });
    }
    let text = '';
    try {
      text = await readBodyText(response.body, { provider: provider.name, limitBytes: MAXIMUM_ERROR_BODY_BYTES });
    } catch {
      // The status alone still tells the caller what happened.
    }
    throw namingVirtualKey(toUpstreamError(provider.name, provider.errorFormat, { statusCode, headers: response.headers, text }), call);
  }

  if (!call.stream) {
    const text = await readBodyText(response.body, { provider: provider.name, limitBytes: engineSettings.maxUpstreamBodyBytes });
    return { kind: 'response', part: provider.parseResponse(parseUpstreamJson(text, provider.name), call, response.headers), warnings };
  }

  let parts;
  try {
    const decoder = await createEventDecoder(provider, engineSettings.maxStreamEventBytes);
    parts = readUpstreamStream(provider, createStreamTransform(provider, call), decoder, response.body, { mapError: scrub });
  } catch (error) {
    response.body.destroy();
    throw error;
  }
  await parts.ready();
  return { kind: 'stream', parts, warnings };
}

/**
 * A 401/403 for a virtual key's credential: the caller holds no key to fix, so the message
 * names the virtual key (the upstream's own words follow, scrubbed).
 */
function namingVirtualKey(error: UpstreamError, call: ProviderCall): UpstreamError {
  const virtualKey = call.target.virtual_key;
  if (virtualKey === undefined || (error.statusCode !== 401 && error.statusCode !== 403)) return error;
  const writable = error as { message: string };
  writable.message = `${error.provider} refused the credentials of virtual key "${virtualKey}" (${error.statusCode}); ask the gateway's operators to check it. ${error.provider} said: ${error.message}`;
  return error;
}
