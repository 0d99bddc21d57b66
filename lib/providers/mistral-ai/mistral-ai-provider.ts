/**
 * Mistral AI: `suffix` (or a Codestral model) goes to FIM completions with prompt + suffix;
 * anything else goes to chat completions with the prompt as the user turn. Bearer auth.
 * @see https://docs.mistral.ai/api/
 */
import { bearerAuth } from '../bearer-auth.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { convertMistralAIUsage } from './convert-mistral-ai-usage.ts';
import { readMistralAIText } from './read-mistral-ai-text.ts';
import { createMistralAIStreamTransform } from './create-mistral-ai-stream-transform.ts';
import { mapMistralAIFinishReason } from './map-mistral-ai-finish-reason.ts';
import { mistralChatParameters, mistralFimParameters } from './mistral-ai-parameters.ts';
import { mistralSchemas } from './mistral-ai-schemas.ts';

const NAME = 'mistral-ai';
/** A custom host replaces this, version prefix included: `{host}/chat/completions`, `{host}/fim/completions`. */
const MISTRAL_AI_BASE_URL = 'https://api.mistral.ai/v1';

/** Whether a request is fill-in-the-middle: a suffix to fill up to, or a code model (Codestral). */
export function isFimRequest(model: string, suffix: string | undefined): boolean {
  return suffix !== undefined || /(^|\/)codestral/i.test(model);
}

export const mistralAIProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'a finish_reason',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameterVariants: {
    'chat completions (no `suffix`)': mistralChatParameters,
    'FIM completions (`suffix` or `codestral*`)': mistralFimParameters,
  },
  selectParameters: ({ params }) => ({ table: isFimRequest(params.model, params.suffix) ? mistralFimParameters : mistralChatParameters, label: NAME }),
  baseUrl: () => MISTRAL_AI_BASE_URL,

  buildRequest(call, mapped) {
    const { params, target } = call;
    const fim = isFimRequest(params.model, params.suffix);
    const prompt = singleTextPrompt(params.prompt, NAME);
    const body: Record<string, unknown> = fim ? { model: params.model, prompt, ...mapped } : { model: params.model, messages: [{ role: 'user', content: prompt }], ...mapped };
    if (call.stream) body.stream = true;
    return { path: fim ? '/fim/completions' : '/chat/completions', headers: bearerAuth(target), body };
  },

  parseResponse(raw) {
    const response = expectShape(mistralSchemas().response, raw, NAME);
    const part: CompletionPart = {
      choices: response.choices.map((choice, position) => ({
        index: choice.index ?? position,
        text: readMistralAIText(choice.message?.content),
        logprobs: null,
        finish_reason: mapMistralAIFinishReason(choice.finish_reason) ?? 'stop',
      })),
    };
    // Missing usage stays missing: the gateway then tells the caller its own count, never zeros.
    const usage = convertMistralAIUsage(response.usage);
    if (usage) part.usage = usage;
    if (response.id) part.id = response.id;
    if (response.model) part.model = response.model;
    return part;
  },

  createStreamReader: createMistralAIStreamTransform,
};
