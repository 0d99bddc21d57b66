/**
 * Minimal, lenient schemas of what OpenAI-compatible servers send back: only the fields we
 * use, `nullish` where servers differ (vLLM, Ollama, Together, Fireworks...).
 *
 * Built on first use: a well-formed answer passes the plain-code twins (is-openai-compatible-shape.ts)
 * and never reaches zod, so loading the provider builds none of them.
 * @see https://platform.openai.com/docs/api-reference/completions/object
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';

function buildOpenAICompatibleSchemas() {
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

  return {
    response: z.object({
      id: z.nullish(z.string()),
      model: z.nullish(z.string()),
      system_fingerprint: z.nullish(z.string()),
      choices: z.array(choice),
      usage,
    }),
    chunk: z.object({
      id: z.nullish(z.string()),
      model: z.nullish(z.string()),
      system_fingerprint: z.nullish(z.string()),
      choices: z.nullish(z.array(choice)),
      usage,
    }),
    /** An error object some servers put in a 200 stream (`data: {"error": {...}}`). */
    error: z.object({
      error: z.union([
        z.string(),
        z.object({
          message: z.nullish(z.string()),
          type: z.nullish(z.string()),
          param: z.nullish(z.string()),
          code: z.nullish(z.union([z.string(), z.number()])),
        }),
      ]),
    }),
  };
}

export const openAICompatibleSchemas = lazy(buildOpenAICompatibleSchemas);
export type OpenAICompatibleResponse = z.infer<ReturnType<typeof openAICompatibleSchemas>['response']>;
