/**
 * Turns a provider's `{path, headers, body}` into the request the transport sends: the one
 * place that builds an upstream URL (a custom host replaces the provider's base URL, version
 * prefix included) and the headers every provider shares.
 */
import type { ProviderTarget } from '../config/target.ts';
import type { UpstreamRequest } from '../upstream/upstream-request.ts';
import { checkHeaderValues } from './check-header-values.ts';
import { checkTargetFields, checkUpstreamPath } from './check-target-fields.ts';
import { joinUrl } from './join-url.ts';
import type { Provider, ProviderCall } from './provider.ts';

/** What each stream framing is asked for in `accept`. */
const STREAM_ACCEPT: Record<Provider['streamFormat'], string> = {
  sse: 'text/event-stream',
  'aws-event-stream': 'application/vnd.amazon.eventstream',
};

/**
 * @example upstreamUrl(openAIProvider, { provider: 'openai', custom_host: 'http://127.0.0.1:8000/v1' }, '/completions')
 * // 'http://127.0.0.1:8000/v1/completions'
 */
function upstreamUrl(provider: Provider, target: ProviderTarget, path: string): string {
  return joinUrl(target.custom_host ?? provider.baseUrl(target), path);
}

/**
 * The request for one call whose parameters are already mapped (`mapped`); a promise only where the provider signs.
 * @throws InvalidRequestError (400) for a target field that cannot safely form a URL or header, or a path that climbs,
 * and for a header value node's HTTP client would refuse.
 */
export function buildUpstreamRequest(
  provider: Provider,
  call: ProviderCall,
  mapped: Readonly<Record<string, unknown>>,
): UpstreamRequest | Promise<UpstreamRequest> {
  const request = buildUnsignedUpstreamRequest(provider, call, mapped);
  if (!provider.signRequest) {
    checkHeaderValues(request.headers, call.target);
    return request;
  }
  // A signer adds headers from credentials (SigV4, a bearer token): checked once they are all there.
  return provider.signRequest(request, call).then((signed) => {
    checkHeaderValues(signed.headers, call.target);
    return signed;
  });
}

/**
 * The request before a provider signs it. Signing (SigV4) only adds headers, so URL and body are
 * already final here; what the cache keys on needs no credentials lookup or signature.
 */
export function buildUnsignedUpstreamRequest(provider: Provider, call: ProviderCall, mapped: Readonly<Record<string, unknown>>): UpstreamRequest {
  // Before any field is spliced into a host, a path or a header.
  checkTargetFields(call.target);
  const built = provider.buildRequest(call, mapped);
  checkUpstreamPath(built.path);
  const request: UpstreamRequest = {
    url: upstreamUrl(provider, call.target, built.path),
    method: 'POST',
    headers: {
      ...call.forwardedHeaders,
      'content-type': 'application/json',
      accept: call.stream ? STREAM_ACCEPT[provider.streamFormat] : 'application/json',
      ...built.headers,
    },
    body: JSON.stringify(built.body),
  };
  return request;
}
