import type { FinishReason } from '../../api/completion-response.ts';
import { mapFinishReason, type FinishReasonTable } from '../map-finish-reason.ts';

/**
 * OpenAI-compatible servers mostly answer `stop` / `length`, but some use their own words:
 * vLLM and Mistral `model_length`, Together `eos`, llama.cpp and TGI `max_tokens` / `stop_sequence`.
 * @see https://platform.openai.com/docs/api-reference/completions/object#completions/object-choices
 */
const openAIFinishReasons: FinishReasonTable = {
  stop: 'stop',
  eos: 'stop',
  stop_sequence: 'stop',
  end_turn: 'stop',
  tool_calls: 'stop',
  function_call: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  content_filter: 'content_filter',
};

export function mapOpenAIFinishReason(reason: string | null | undefined, provider = 'openai'): FinishReason | null {
  return mapFinishReason(provider, openAIFinishReasons, reason);
}
