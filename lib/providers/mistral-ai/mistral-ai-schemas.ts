/**
 * Minimal, lenient schemas of Mistral's chat completion (also the FIM answer, which has the
 * same shape) and its stream chunks. `content` is a string, or a list of chunks on reasoning
 * models (`{type: "thinking", ...}`, `{type: "text", text}`).
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post
 */
import { z } from '../../api/zod.ts';

const content = z.nullish(z.union([z.string(), z.array(z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()) }))]));
export type MistralContent = z.infer<typeof content>;

const usage = z.nullish(
  z.object({ prompt_tokens: z.nullish(z.number()), completion_tokens: z.nullish(z.number()), total_tokens: z.nullish(z.number()) }),
);
export type MistralUsage = z.infer<typeof usage>;

export const mistralResponseSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  choices: z.array(z.object({ index: z.nullish(z.number()), message: z.nullish(z.object({ content })), finish_reason: z.nullish(z.string()) })),
  usage,
});

export const mistralChunkSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  choices: z.nullish(z.array(z.object({ index: z.nullish(z.number()), delta: z.nullish(z.object({ content })), finish_reason: z.nullish(z.string()) }))),
  usage,
});
