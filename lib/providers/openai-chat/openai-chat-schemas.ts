/**
 * Minimal, lenient schemas of OpenAI-style chat completions (Groq, SambaNova, Perplexity,
 * GitHub Models, Azure AI, AI21, DeepSeek, Hugging Face's router): only the fields the gateway
 * reads, `nullish` where servers differ. Groq puts a stream's usage in `x_groq.usage`.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 * @see https://console.groq.com/docs/api-reference#chat-create
 */
import { z } from '../../api/zod.ts';

const usage = z.nullish(
  z.object({
    prompt_tokens: z.nullish(z.number()),
    completion_tokens: z.nullish(z.number()),
    total_tokens: z.nullish(z.number()),
  }),
);

const content = z.nullish(z.string());

export const openAIChatResponseSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  system_fingerprint: z.nullish(z.string()),
  choices: z.array(
    z.object({
      index: z.nullish(z.number()),
      message: z.nullish(z.object({ content })),
      finish_reason: z.nullish(z.string()),
    }),
  ),
  usage,
});

export const openAIChatChunkSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  choices: z.nullish(
    z.array(
      z.object({
        index: z.nullish(z.number()),
        delta: z.nullish(z.object({ content })),
        finish_reason: z.nullish(z.string()),
      }),
    ),
  ),
  usage,
  x_groq: z.nullish(z.object({ usage })),
});
