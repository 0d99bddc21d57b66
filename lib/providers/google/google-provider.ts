/**
 * Google Gemini API (`generativelanguage.googleapis.com`): the prompt becomes one user turn of
 * `contents`, the parameters go to `generationConfig`, the key goes in `x-goog-api-key`.
 * @see https://ai.google.dev/api/generate-content
 */
import { expectShape } from '../parse-upstream-json.ts';
import { setPath } from '../map-parameters.ts';
import type { Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { createGoogleStreamTransform } from './create-google-stream-transform.ts';
import { googleParameters } from './google-parameters.ts';
import { googleSchemas } from './google-schemas.ts';
import { readGoogleResponse } from './read-google-response.ts';

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
    const { params, target, stream } = call;
    const body: Record<string, unknown> = { contents: [{ role: 'user', parts: [{ text: singleTextPrompt(params.prompt, NAME) }] }], ...mapped };
    if (params.logprobs !== undefined) {
      // Beside the mapped `logprobs`; a copy, since `mapped` is shared by every call of a fan-out.
      body.generationConfig = { ...(mapped.generationConfig as Record<string, unknown> | undefined) };
      setPath(body, 'generationConfig.responseLogprobs', true);
    }
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    const headers: Record<string, string> = {};
    if (target.api_key) headers['x-goog-api-key'] = target.api_key;
    return { path: `/${modelPath(params.model)}:${method}`, headers, body };
  },

  parseResponse(raw, call) {
    return readGoogleResponse(expectShape(googleSchemas().response, raw, NAME), call);
  },

  createStreamReader: createGoogleStreamTransform,

  /** `{"error": {"code": 400, "message": ..., "status": "INVALID_ARGUMENT"}}`: the status is the code. */
  errorFormat: {
    get schema() {
      return googleSchemas().error;
    },
    toFields: (data: { error: { message?: string | null; status?: string | null } }) => ({ message: data.error.message, code: data.error.status ?? null }),
  },
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
