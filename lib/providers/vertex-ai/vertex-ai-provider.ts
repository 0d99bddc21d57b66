/**
 * Google Cloud Vertex AI: Gemini through `generateContent` / `streamGenerateContent?alt=sse`,
 * and Claude through Anthropic's Messages API at `rawPredict` / `streamRawPredict` (the body
 * without `model`, with `anthropic_version: vertex-2023-10-16`). The wire formats are the shared
 * gemini-generate-content and anthropic-messages modules; this file is how to reach Vertex: the
 * project and region in the URL, and an OAuth2 access token from the virtual key's service
 * account (`vertex_service_account_json`), cached and refreshed single-flight, or an access token
 * given as the key. A custom host replaces `https://{region}-aiplatform.googleapis.com/v1`.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
 */
import { AuthenticationError, UpstreamError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { anthropicMessagesParameters } from '../anthropic-messages/anthropic-messages-parameters.ts';
import { buildAnthropicMessagesBody } from '../anthropic-messages/build-anthropic-messages-body.ts';
import { createAnthropicStreamReader } from '../anthropic-messages/create-anthropic-stream-reader.ts';
import { readAnthropicCompletion } from '../anthropic-messages/read-anthropic-completion.ts';
import { buildGenerateContentBody, generateContentMethod } from '../gemini-generate-content/build-generate-content-request.ts';
import { createGoogleStreamTransform } from '../gemini-generate-content/create-google-stream-transform.ts';
import { generateContentErrorFormat } from '../gemini-generate-content/generate-content-error-format.ts';
import { googleParameters } from '../gemini-generate-content/google-parameters.ts';
import { googleSchemas } from '../gemini-generate-content/google-schemas.ts';
import { readGoogleResponse } from '../gemini-generate-content/read-google-response.ts';
import type { ParameterTable } from '../map-parameters.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { Provider } from '../provider.ts';
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
    table: isClaude(params.model) ? anthropicMessagesParameters : geminiParameters,
    label: NAME,
  }),
  baseUrl: vertexBaseUrl,
  // The host is built from the region: declared, so the transport holds the call to it.
  expectedHost: (target) => new URL(vertexBaseUrl(target)).host,

  buildRequest(call, mapped) {
    const { publisher, model } = selectVertexPublisher(call.params.model);
    const prefix = `/projects/${vertexProject(call.target)}/locations/${vertexRegion(call.target)}/publishers/${publisher}/models/${model}`;
    if (publisher === 'google') {
      return { path: `${prefix}:${generateContentMethod(call.stream)}`, headers: {}, body: buildGenerateContentBody(call, mapped, NAME) };
    }
    // Vertex names the model in the URL: the body carries none, and Vertex's own version.
    const body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...buildAnthropicMessagesBody(call, mapped, NAME) };
    return { path: `${prefix}:${call.stream ? 'streamRawPredict' : 'rawPredict'}`, headers: {}, body };
  },

  async signRequest(request, call) {
    const token = await accessToken(call.target);
    // A token is header-safe ASCII; anything else would fail inside the HTTP client as a bare 500.
    if (!/^[!-~]+$/.test(token)) throw new UpstreamError('vertex-ai: the access token is not a valid bearer token', { provider: NAME, statusCode: 502, code: 'invalid_access_token' });
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
  },

  parseResponse: (body, call) =>
    isClaude(call.params.model) ? readAnthropicCompletion(body, NAME) : readGoogleResponse(expectShape(googleSchemas().response, body, NAME), call),
  createStreamReader: (call) => (isClaude(call.params.model) ? createAnthropicStreamReader(NAME) : createGoogleStreamTransform(call)),
  // Vertex answers its own errors (auth, quota, a bad model) in Google's shape, for Claude too.
  errorFormat: generateContentErrorFormat,
};

function isClaude(model: string): boolean {
  return selectVertexPublisher(model).publisher === 'anthropic';
}

/** The service account's token, or an access token the caller brought as its key. */
async function accessToken(target: ProviderTarget): Promise<string> {
  if (target.vertex_service_account_json !== undefined) {
    return tokens.getAccessToken(parseGoogleServiceAccount(target.vertex_service_account_json));
  }
  if (target.api_key !== undefined) return target.api_key;
  throw new AuthenticationError('vertex-ai needs vertex_service_account_json in the virtual key, or an access token as the key.', { code: 'missing_credentials' });
}
