/**
 * Workers AI text-generation inputs (the `raw` prompt form): the sampling parameters with its
 * own ranges; no stop sequences, logprobs, `n` or `echo` (the gateway emulates the last two).
 * @see https://developers.cloudflare.com/workers-ai/models/llama-3.1-8b-instruct/ (input schema)
 */
import type { ParameterTable } from '../map-parameters.ts';

export const workersAIParameters = {
  max_tokens: { range: [1, Infinity] },
  temperature: { range: [0, 5] },
  top_p: { range: [0.001, 1] },
  seed: { range: [1, 9999999999] },
  frequency_penalty: { range: [-2, 2] },
  presence_penalty: { range: [-2, 2] },
} as const satisfies ParameterTable;
