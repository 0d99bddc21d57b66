/**
 * The chat completions parameters a completions request can use when its prompt becomes one
 * user turn: the sampling parameters pass unchanged. Not here: `best_of` and `suffix` (no chat
 * equivalent), `logprobs` (chat's is a boolean plus `top_logprobs`, with another answer shape),
 * `echo` (always emulated: a chat answer never repeats the prompt).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ParameterTable } from '../map-parameters.ts';
import type { OpenAICompatibleDifferences } from '../openai-compatible/openai-completion-parameters.ts';

export const openAIChatParameters = {
  frequency_penalty: {},
  logit_bias: {},
  max_tokens: {},
  n: {},
  presence_penalty: {},
  seed: {},
  stop: {},
  temperature: {},
  top_p: {},
  user: {},
} as const satisfies ParameterTable;

/**
 * @example defineOpenAIChatTable({ unsupported: ['logit_bias'], emulated: ['n'] }) // chat's table without logit_bias and n
 */
export function defineOpenAIChatTable(differences: OpenAICompatibleDifferences = {}): ParameterTable {
  const left: ReadonlySet<string> = new Set([...(differences.unsupported ?? []), ...(differences.emulated ?? [])]);
  return Object.fromEntries(Object.entries({ ...openAIChatParameters, ...differences.rules }).filter(([name]) => !left.has(name))) as ParameterTable;
}
