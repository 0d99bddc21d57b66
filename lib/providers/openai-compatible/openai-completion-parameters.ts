/**
 * OpenAI's `/v1/completions` parameters, passed through unchanged: the table every member of
 * the OpenAI-compatible family starts from. A member states only how it differs (parameters it
 * lacks, emulates, or takes in another form) — see `defineOpenAICompatibleTable`.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 */
import type { MappedParameter, ParameterTable } from '../map-parameters.ts';

export const openAICompletionParameters = {
  best_of: {},
  echo: {},
  frequency_penalty: {},
  logit_bias: {},
  logprobs: {},
  max_tokens: {},
  n: {},
  presence_penalty: {},
  seed: {},
  stop: {},
  suffix: {},
  temperature: {},
  top_p: {},
  user: {},
} as const satisfies ParameterTable;

/** How one member's parameters differ from OpenAI's. */
export interface OpenAICompatibleDifferences {
  /** Parameters the server does not take: dropped and reported. */
  unsupported?: readonly MappedParameter[];
  /** Parameters the gateway provides itself for this server (`n` by fan-out, `echo` by prepending). */
  emulated?: ReadonlyArray<'n' | 'echo'>;
  /** Rules that replace OpenAI's pass-through (e.g. `stop` only as a list). */
  rules?: ParameterTable;
}

/**
 * @example defineOpenAICompatibleTable({ unsupported: ['suffix'] }) // OpenAI's table without suffix
 */
export function defineOpenAICompatibleTable(differences: OpenAICompatibleDifferences = {}): ParameterTable {
  const left: ReadonlySet<string> = new Set([...(differences.unsupported ?? []), ...(differences.emulated ?? [])]);
  // Built whole rather than by `delete`, which would leave the table a slow dictionary object.
  return Object.fromEntries(Object.entries({ ...openAICompletionParameters, ...differences.rules }).filter(([name]) => !left.has(name))) as ParameterTable;
}
