/**
 * Google Cloud Vertex AI: Gemini through `generateContent` / `streamGenerateContent?alt=sse`,
 * and Claude through Anthropic's Messages API at `rawPredict` / `streamRawPredict` (the body
 * without `model`, with `anthropic_version: vertex-2023-10-16`). The bodies and readers are the
 * `google` and `anthropic` providers' own; this file is how to reach Vertex: the project and
 * region in the URL, and an OAuth2 access token from the virtual key's service account
 * (`vertex_service_account_json`), cached and refreshed single-flight, or an access token given
 * as the key. A custom host replaces `https://{region}-aiplatform.googleapis.com/v1`.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
 */
import { AuthenticationError, UpstreamError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { anthropicMessagesParameters } from '../anthropic-messages/anthropic-messages-parameters.ts';
// The Gemini and Claude wire formats, reused whole rather than copied.
import { anthropicProvider } from '../anthropic/anthropic-provider.ts';
import { googleParameters } from '../google/google-parameters.ts';
import { googleProvider } from '../google/google-provider.ts';
import type { ParameterTable } from '../map-parameters.ts';
import type { Provider, ProviderCall } from '../provider.ts';
import { createGoogleTokenCache, parseGoogleServiceAccount } from './google-service-account-token.ts';
import { selectVertexPublisher } from './select-vertex-publisher.ts';
import { vertexBaseUrl, vertexProject, vertexRegion } from './vertex-ai-location.ts';

const NAME = 'vertex-ai';
/** @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude#anthropic-claude-request */
const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Claude takes no `n`: the gateway fans out for both publishers, so Gemini's table leaves it out too. */
const geminiParameters: ParameterTable = Object.fromEntries(Object.entries(googleParameters).filter(([name]) => name !== 'n'));

const tokens = createGoogleTokenCache();

export const vertexAIProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'a finish reason (Gemini) or message_stop (Claude)',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameterVariants: { 'Gemini (google.* or bare ids)': geminiParameters, 'Claude (anthropic.* or claude-*)': anthropicMessagesParameters },
  selectParameters: ({ params }) => ({
    table: selectVertexPublisher(params.model).publisher === 'anthropic' ? anthropicMessagesParameters : geminiParameters,
    label: NAME,
  }),
  baseUrl: vertexBaseUrl,

  buildRequest(call, mapped) {
    const { publisher, model } = selectVertexPublisher(call.params.model);
    const prefix = `/projects/${vertexProject(call.target)}/locations/${vertexRegion(call.target)}/publishers/${publisher}/models/${model}`;
    if (publisher === 'google') {
      const { body } = googleProvider.buildRequest({ ...call, target: withoutKey(call.target) }, mapped);
      return { path: `${prefix}:${call.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, headers: {}, body };
    }
    const { body } = anthropicProvider.buildRequest({ ...call, target: withoutKey(call.target) }, mapped);
    const { model: _model, ...rest } = body;
    return { path: `${prefix}:${call.stream ? 'streamRawPredict' : 'rawPredict'}`, headers: {}, body: { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest } };
  },

  async signRequest(request, call) {
    const token = await accessToken(call.target);
    // A token is header-safe ASCII; anything else would fail inside the HTTP client as a bare 500.
    if (!/^[!-~]+$/.test(token)) throw new UpstreamError('vertex-ai: the access token is not a valid bearer token', { provider: NAME, statusCode: 502, code: 'invalid_access_token' });
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
  },

  parseResponse: (body, call, headers) => formatOf(call).parseResponse(body, call, headers),
  createStreamReader: (call) => formatOf(call).createStreamReader(call),
  // Vertex answers its own errors (auth, quota, a bad model) in Google's shape, for Claude too.
  errorFormat: googleProvider.errorFormat!,
};

function formatOf(call: ProviderCall): Provider {
  return selectVertexPublisher(call.params.model).publisher === 'anthropic' ? anthropicProvider : googleProvider;
}

/** The google and anthropic builders add their own key headers; Vertex takes only the bearer token. */
function withoutKey(target: ProviderTarget): ProviderTarget {
  const { api_key: _key, ...rest } = target;
  return rest;
}

/** The service account's token, or an access token the caller brought as its key. */
async function accessToken(target: ProviderTarget): Promise<string> {
  if (target.vertex_service_account_json !== undefined) {
    return tokens.getAccessToken(parseGoogleServiceAccount(target.vertex_service_account_json));
  }
  if (target.api_key !== undefined) return target.api_key;
  throw new AuthenticationError('vertex-ai needs vertex_service_account_json in the virtual key, or an access token as the key.', { code: 'missing_credentials' });
}
