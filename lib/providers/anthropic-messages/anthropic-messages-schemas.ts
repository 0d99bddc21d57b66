/**
 * Minimal, lenient schemas of what the Messages API sends back (Anthropic, Bedrock's Claude): only the fields the gateway
 * reads, `nullish` everywhere else so new fields and block types never break a response.
 * Built on first use (`anthropicSchemas()`), not at import.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';

function buildAnthropicSchemas() {
  const usage = z.object({
    input_tokens: z.nullish(z.number()),
    output_tokens: z.nullish(z.number()),
    cache_creation_input_tokens: z.nullish(z.number()),
    cache_read_input_tokens: z.nullish(z.number()),
  });

  // `type` is nullish: Bedrock's documented example omits it on text blocks.
  const contentBlock = z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()) });

  const message = z.object({
    id: z.nullish(z.string()),
    model: z.nullish(z.string()),
    content: z.array(contentBlock),
    stop_reason: z.nullish(z.string()),
    usage: z.nullish(usage),
  });

  /** Every stream event in one flat shape, keyed by `type`; fields a type lacks are absent. */
  const streamEvent = z.object({
    type: z.string(),
    message: z.nullish(z.object({ id: z.nullish(z.string()), model: z.nullish(z.string()), usage: z.nullish(usage) })),
    index: z.nullish(z.number()),
    content_block: z.nullish(contentBlock),
    delta: z.nullish(z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()), stop_reason: z.nullish(z.string()) })),
    usage: z.nullish(usage),
    error: z.nullish(z.object({ type: z.nullish(z.string()), message: z.nullish(z.string()) })),
  });

  /** `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}` */
  const error = z.object({
    error: z.object({ type: z.nullish(z.string()), message: z.nullish(z.string()) }),
  });

  return { usage, message, streamEvent, error };
}

export const anthropicSchemas = lazy(buildAnthropicSchemas);

type AnthropicSchemas = ReturnType<typeof buildAnthropicSchemas>;
export type AnthropicUsage = z.infer<AnthropicSchemas['usage']>;
export type AnthropicStreamEvent = z.infer<AnthropicSchemas['streamEvent']>;
