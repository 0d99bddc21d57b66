/**
 * Minimal, lenient schemas of Cohere's v2 chat answer and its stream events (one flat shape
 * keyed by `type`). Content items other than text (a reasoning model's `thinking`) are skipped.
 * Built on first use (`cohereSchemas()`), not at import.
 * @see https://docs.cohere.com/reference/chat
 * @see https://docs.cohere.com/reference/chat-stream
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';

function buildCohereSchemas() {
  const tokenCounts = z.nullish(z.object({ input_tokens: z.nullish(z.number()), output_tokens: z.nullish(z.number()) }));
  const usage = z.nullish(z.object({ billed_units: tokenCounts, tokens: tokenCounts }));

  const response = z.object({
    id: z.nullish(z.string()),
    finish_reason: z.nullish(z.string()),
    message: z.nullish(z.object({ content: z.nullish(z.array(z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()) }))) })),
    usage,
  });

  const streamEvent = z.object({
    type: z.string(),
    id: z.nullish(z.string()),
    delta: z.nullish(
      z.object({
        // An object in content-delta events; message-start carries the (empty) content list.
        message: z.nullish(z.object({ content: z.nullish(z.union([z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()) }), z.array(z.unknown())])) })),
        finish_reason: z.nullish(z.string()),
        usage,
      }),
    ),
  });

  return { usage, response, streamEvent };
}

export const cohereSchemas = lazy(buildCohereSchemas);

export type CohereUsage = z.infer<ReturnType<typeof buildCohereSchemas>['usage']>;
