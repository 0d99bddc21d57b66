/**
 * Google Gemini API (`generativelanguage.googleapis.com`): the prompt becomes one user turn of
 * `contents`, the parameters go to `generationConfig`, the key goes in `x-goog-api-key`.
 * @see https://ai.google.dev/api/generate-content
 */
import { joinUrl } from '../join-url.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { mapParameters, setPath, type ParameterTable } from '../map-parameters.ts';
import type { Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { createGoogleStreamTransform } from './create-google-stream-transform.ts';
import { googleParameters } from './google-parameters.ts';
import { googleSchemas } from './google-schemas.ts';
import { readGoogleResponse } from './read-google-response.ts';

const NAME = 'google';
/** A custom host replaces this, version prefix included: `{host}/models/{model}:generateContent`. */
export const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

export const googleProvider: Provider & { readonly parameters: ParameterTable } = {
  name: NAME,
  streamFormat: 'sse',
  prompts: { arrays: false, tokens: false },
  parameters: googleParameters,

  buildRequest(call) {
    const { params, target, stream } = call;
    const { body, warnings } = mapParameters(params, googleParameters, { provider: NAME, strict: call.strict });
    if (params.logprobs !== undefined) setPath(body, 'generationConfig.responseLogprobs', true);
    const payload = { contents: [{ role: 'user', parts: [{ text: singleTextPrompt(params.prompt, NAME) }] }], ...body };

    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...call.forwardedHeaders,
    };
    if (target.api_key) headers['x-goog-api-key'] = target.api_key;
    return {
      request: { url: joinUrl(target.custom_host ?? GOOGLE_BASE_URL, `/${modelPath(params.model)}:${method}`), method: 'POST', headers, body: JSON.stringify(payload) },
      warnings,
    };
  },

  parseResponse(raw, call) {
    return readGoogleResponse(expectShape(googleSchemas().response, raw, NAME), call);
  },

  createStreamTransform: createGoogleStreamTransform,

  parseError(statusCode, bodyText) {
    try {
      const parsed = googleSchemas().error.safeParse(JSON.parse(bodyText));
      if (parsed.success) return { message: parsed.data.error.message ?? `google answered ${statusCode}`, code: parsed.data.error.status ?? null };
    } catch {
      // Not JSON: fall through to the text.
    }
    return { message: bodyText.slice(0, 500).trim() || `google answered ${statusCode}` };
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
