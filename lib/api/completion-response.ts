/**
 * The OpenAI `text_completion` response and stream chunk, which every provider's answer becomes.
 * @see https://platform.openai.com/docs/api-reference/completions/object
 */
import { z } from './zod.ts';

export const finishReasonSchema = z.enum(['stop', 'length', 'content_filter']);
export type FinishReason = z.infer<typeof finishReasonSchema>;

export const logprobsSchema = z.object({
  tokens: z.optional(z.array(z.string())),
  token_logprobs: z.optional(z.array(z.nullable(z.number()))),
  top_logprobs: z.optional(z.nullable(z.array(z.nullable(z.record(z.string(), z.number()))))),
  text_offset: z.optional(z.array(z.number())),
});
export type Logprobs = z.infer<typeof logprobsSchema>;

export const usageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});
export type Usage = z.infer<typeof usageSchema>;

export const completionChoiceSchema = z.object({
  text: z.string(),
  index: z.number(),
  logprobs: z.nullable(logprobsSchema),
  finish_reason: z.nullable(finishReasonSchema),
});
export type CompletionChoice = z.infer<typeof completionChoiceSchema>;

export const completionResponseSchema = z.object({
  id: z.string(),
  object: z.literal('text_completion'),
  created: z.number(),
  model: z.string(),
  system_fingerprint: z.optional(z.nullable(z.string())),
  choices: z.array(completionChoiceSchema),
  usage: usageSchema,
});
export type CompletionResponse = z.infer<typeof completionResponseSchema>;

/** A stream chunk: same object type as the response; `usage` only on the final usage chunk. */
export const completionChunkSchema = z.object({
  id: z.string(),
  object: z.literal('text_completion'),
  created: z.number(),
  model: z.string(),
  system_fingerprint: z.optional(z.nullable(z.string())),
  choices: z.array(completionChoiceSchema),
  usage: z.optional(z.nullable(usageSchema)),
});
export type CompletionChunk = z.infer<typeof completionChunkSchema>;

export const openAIErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.nullable(z.string()),
    code: z.nullable(z.string()),
    provider: z.optional(z.string()),
  }),
});
