/**
 * Minimal schemas of Workers AI's text-generation answers: the v4 envelope around
 * `result.response`, the stream's `{response, usage}` events, and the envelope's `errors`.
 * @see https://developers.cloudflare.com/workers-ai/get-started/rest-api/
 * @see https://developers.cloudflare.com/api/resources/ai/methods/run/
 */
import { z } from '../../api/zod.ts';

const usage = z.nullish(
  z.object({
    prompt_tokens: z.nullish(z.number()),
    completion_tokens: z.nullish(z.number()),
    total_tokens: z.nullish(z.number()),
  }),
);

export const workersAIResponseSchema = z.object({
  result: z.object({ response: z.nullish(z.string()), usage }),
});

export const workersAIStreamEventSchema = z.object({ response: z.nullish(z.string()), usage });

export const workersAIErrorSchema = z.object({
  errors: z.array(z.object({ code: z.nullish(z.union([z.number(), z.string()])), message: z.nullish(z.string()) })).check(z.minLength(1)),
});
