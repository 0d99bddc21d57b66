/**
 * Minimal, lenient schemas of what OpenAI-compatible servers send back: only the fields we
 * use, `nullish` where servers differ (vLLM, Ollama, Together, Fireworks...).
 * @see https://platform.openai.com/docs/api-reference/completions/object
 */
import { z } from '../../api/zod.ts';

const usage = z.nullish(
  z.object({
    prompt_tokens: z.nullish(z.number()),
    completion_tokens: z.nullish(z.number()),
    total_tokens: z.nullish(z.number()),
  }),
);

const choice = z.object({
  index: z.nullish(z.number()),
  text: z.nullish(z.string()),
  logprobs: z.nullish(z.unknown()),
  finish_reason: z.nullish(z.string()),
});

export const openAICompatibleResponseSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  system_fingerprint: z.nullish(z.string()),
  choices: z.array(choice),
  usage,
});
export type OpenAICompatibleResponse = z.infer<typeof openAICompatibleResponseSchema>;

export const openAICompatibleChunkSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  system_fingerprint: z.nullish(z.string()),
  choices: z.nullish(z.array(choice)),
  usage,
});

/** An error object some servers put in a 200 stream (`data: {"error": {...}}`). */
export const openAICompatibleErrorSchema = z.object({
  error: z.union([
    z.string(),
    z.object({
      message: z.nullish(z.string()),
      type: z.nullish(z.string()),
      param: z.nullish(z.string()),
      code: z.nullish(z.union([z.string(), z.number()])),
    }),
  ]),
});
