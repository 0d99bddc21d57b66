/**
 * Minimal, lenient schemas of what the Messages API sends back: only the fields the gateway
 * reads, `nullish` everywhere else so new fields and block types never break a response.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import { z } from '../../api/zod.ts';

const usage = z.object({
  input_tokens: z.nullish(z.number()),
  output_tokens: z.nullish(z.number()),
  cache_creation_input_tokens: z.nullish(z.number()),
  cache_read_input_tokens: z.nullish(z.number()),
});
export type AnthropicUsage = z.infer<typeof usage>;

const contentBlock = z.object({ type: z.string(), text: z.nullish(z.string()) });

export const anthropicMessageSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  content: z.array(contentBlock),
  stop_reason: z.nullish(z.string()),
  usage: z.nullish(usage),
});

/** Every stream event in one flat shape, keyed by `type`; fields a type lacks are absent. */
export const anthropicStreamEventSchema = z.object({
  type: z.string(),
  message: z.nullish(z.object({ id: z.nullish(z.string()), model: z.nullish(z.string()), usage: z.nullish(usage) })),
  index: z.nullish(z.number()),
  content_block: z.nullish(contentBlock),
  delta: z.nullish(z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()), stop_reason: z.nullish(z.string()) })),
  usage: z.nullish(usage),
  error: z.nullish(z.object({ type: z.nullish(z.string()), message: z.nullish(z.string()) })),
});
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;

/** `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}` */
export const anthropicErrorSchema = z.object({
  error: z.object({ type: z.nullish(z.string()), message: z.nullish(z.string()) }),
});
