/**
 * Cloudflare Workers AI: `POST /accounts/{account_id}/ai/run/{model}` with `raw: true`, so the
 * prompt reaches the model without its chat template (a true completion). The account id is
 * Portkey's `workers_ai_account_id` (header `x-portkey-workers-ai-account-id`); it and the
 * model form the URL, so both are checked against their patterns. A custom host replaces
 * `https://api.cloudflare.com/client/v4/accounts/{account_id}/ai`.
 * Workers AI reports no finish reason: `length` when the answer used every token asked for,
 * `stop` otherwise (guessed from the usage; a whole-vocabulary stop looks the same).
 * @see https://developers.cloudflare.com/workers-ai/get-started/rest-api/
 * @see https://developers.cloudflare.com/api/resources/ai/methods/run/
 */
import type { Usage } from '../../api/completion-response.ts';
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { bearerAuth } from '../bearer-auth.ts';
import { requireTargetField } from '../check-target-fields.ts';
import { convertOpenAICompatibleUsage } from '../openai-compatible/convert-openai-compatible-usage.ts';
import { createOpenAIStyleStreamReader } from '../openai-compatible/create-openai-style-stream-reader.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall, StreamReader } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { workersAIParameters } from './workers-ai-parameters.ts';
import { workersAIErrorSchema, workersAIResponseSchema, workersAIStreamEventSchema } from './workers-ai-schemas.ts';

const NAME = 'workers-ai';
/** `@cf/meta/llama-3.1-8b-instruct`, `@hf/thebloke/...`: a catalogue name, never a path of its own. */
const MODEL = /^@[a-z]+(\/[A-Za-z0-9_:-][A-Za-z0-9._:-]*)+$/;

export const workersAIProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: '[DONE]',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameters: workersAIParameters,

  baseUrl(target: ProviderTarget) {
    // The account id's shape is the engine's table's (check-target-fields.ts).
    const account = requireTargetField(target, 'workers_ai_account_id', NAME);
    return `https://api.cloudflare.com/client/v4/accounts/${account}/ai`;
  },

  buildRequest(call, mapped) {
    const { params, target } = call;
    if (!MODEL.test(params.model)) {
      throw new InvalidRequestError('workers-ai models are named like @cf/meta/llama-3.1-8b-instruct.', { param: 'model', code: 'invalid_model' });
    }
    const body: Record<string, unknown> = { prompt: singleTextPrompt(params.prompt, NAME), raw: true };
    Object.assign(body, mapped);
    if (call.stream) body.stream = true;
    return { path: `/run/${params.model}`, headers: bearerAuth(target), body };
  },

  parseResponse(raw, call) {
    const { result } = expectShape(workersAIResponseSchema, raw, NAME);
    const usage = convertOpenAICompatibleUsage(result.usage);
    const part: CompletionPart = { choices: [{ index: 0, text: result.response ?? '', logprobs: null, finish_reason: finishReason(call, usage) }] };
    // Missing usage stays missing: the gateway then tells the caller its own count, never zeros.
    if (usage) part.usage = usage;
    return part;
  },

  createStreamReader(call): StreamReader {
    let usage: Usage | undefined;
    const readChunk = (json: unknown): CompletionPart[] => {
      const chunk = expectShape(workersAIStreamEventSchema, json, NAME);
      usage = convertOpenAICompatibleUsage(chunk.usage) ?? usage;
      return chunk.response ? [{ choices: [{ index: 0, text: chunk.response, logprobs: null, finish_reason: null }] }] : [];
    };
    // The events carry no finish reason: the last part gives one, decided from the usage.
    const end = (): CompletionPart[] => {
      const last: CompletionPart = { choices: [{ index: 0, text: '', logprobs: null, finish_reason: finishReason(call, usage) }] };
      if (usage) last.usage = usage;
      return [last];
    };
    return createOpenAIStyleStreamReader(NAME, readChunk, end);
  },

  errorFormat: {
    schema: workersAIErrorSchema,
    toFields: (data: { errors: Array<{ code?: number | string | null; message?: string | null }> }) => ({
      message: data.errors.map((error) => error.message).filter(Boolean).join('; ') || null,
      code: data.errors[0]!.code != null ? String(data.errors[0]!.code) : null,
    }),
  },
};

function finishReason(call: ProviderCall, usage: Usage | undefined): 'stop' | 'length' {
  const asked = call.params.max_tokens;
  return usage && asked !== undefined && asked !== null && usage.completion_tokens >= asked ? 'length' : 'stop';
}
