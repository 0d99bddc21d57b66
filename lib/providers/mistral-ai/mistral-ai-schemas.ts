/**
 * Minimal, lenient schemas of Mistral's chat completion (also the FIM answer, which has the
 * same shape) and its stream chunks. `content` is a string, or a list of chunks on reasoning
 * models (`{type: "thinking", ...}`, `{type: "text", text}`). Built on first use
 * (`mistralSchemas()`), not at import.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';

function buildMistralSchemas() {
  const content = z.nullish(z.union([z.string(), z.array(z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()) }))]));

  const usage = z.nullish(
    z.object({ prompt_tokens: z.nullish(z.number()), completion_tokens: z.nullish(z.number()), total_tokens: z.nullish(z.number()) }),
  );

  const response = z.object({
    id: z.nullish(z.string()),
    model: z.nullish(z.string()),
    choices: z.array(z.object({ index: z.nullish(z.number()), message: z.nullish(z.object({ content })), finish_reason: z.nullish(z.string()) })),
    usage,
  });

  const chunk = z.object({
    id: z.nullish(z.string()),
    model: z.nullish(z.string()),
    choices: z.nullish(z.array(z.object({ index: z.nullish(z.number()), delta: z.nullish(z.object({ content })), finish_reason: z.nullish(z.string()) }))),
    usage,
  });

  return { content, usage, response, chunk };
}

export const mistralSchemas = lazy(buildMistralSchemas);

type MistralSchemas = ReturnType<typeof buildMistralSchemas>;
export type MistralContent = z.infer<MistralSchemas['content']>;
export type MistralUsage = z.infer<MistralSchemas['usage']>;
