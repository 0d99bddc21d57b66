/**
 * Google Gemini API (`generativelanguage.googleapis.com`): the `generateContent` wire format
 * is the shared gemini-generate-content module; this file is how to reach the Gemini API, the
 * key in `x-goog-api-key`.
 * @see https://ai.google.dev/api/generate-content
 */
import { buildGenerateContentBody, generateContentMethod } from '../gemini-generate-content/build-generate-content-request.ts';
import { createGoogleStreamTransform } from '../gemini-generate-content/create-google-stream-transform.ts';
import { generateContentErrorFormat } from '../gemini-generate-content/generate-content-error-format.ts';
import { googleParameters } from '../gemini-generate-content/google-parameters.ts';
import { googleSchemas } from '../gemini-generate-content/google-schemas.ts';
import { readGoogleResponse } from '../gemini-generate-content/read-google-response.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { Provider } from '../provider.ts';

const NAME = 'google';
/** A custom host replaces this, version prefix included: `{host}/models/{model}:generateContent`. */
const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

export const googleProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'every candidate had a finish reason',
  prompts: { arrays: false, tokens: false },
  // Gemini answers n itself (candidateCount), so the gateway fans out only prompt arrays.
  emulated: { n: false, echo: true },
  parameters: googleParameters,
  baseUrl: () => GOOGLE_BASE_URL,

  buildRequest(call, mapped) {
    const headers: Record<string, string> = {};
    if (call.target.api_key) headers['x-goog-api-key'] = call.target.api_key;
    return { path: `/${modelPath(call.params.model)}:${generateContentMethod(call.stream)}`, headers, body: buildGenerateContentBody(call, mapped, NAME) };
  },

  parseResponse(raw, call) {
    return readGoogleResponse(expectShape(googleSchemas().response, raw, NAME), call);
  },

  createStreamReader: createGoogleStreamTransform,
  errorFormat: generateContentErrorFormat,
};

/**
 * The resource name of a model: ids come as `gemini-2.0-flash` or already as
 * `models/gemini-2.0-flash` (what the models list returns); tuned models as `tunedModels/...`.
 *
 * @example modelPath('gemini-2.0-flash') // 'models/gemini-2.0-flash'
 */
export function modelPath(model: string): string {
  const path = model.startsWith('models/') || model.startsWith('tunedModels/') ? model : `models/${model}`;
  return path.split('/').map(encodeURIComponent).join('/');
}
