import type { Logprobs } from '../../api/completion-response.ts';
import type { CompletionPart } from '../provider.ts';
import { convertOpenAICompatibleUsage } from './convert-openai-compatible-usage.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';

interface OpenAIStyleChoice {
  index?: number | null;
  finish_reason?: string | null;
}

interface OpenAIStyleResponse<Choice extends OpenAIStyleChoice> {
  id?: string | null;
  model?: string | null;
  system_fingerprint?: string | null;
  choices: readonly Choice[];
  usage?: Parameters<typeof convertOpenAICompatibleUsage>[0];
}

/**
 * A whole OpenAI-style answer as one part, shared by the completions and the chat family: a
 * choice's missing index is its position, an unmapped finish is `stop`; missing usage stays missing
 * (the gateway then tells the caller its own count, never zeros).
 * A family supplies only where a choice keeps its text and logprobs.
 */
export function readOpenAIStyleResponse<Choice extends OpenAIStyleChoice>(
  response: OpenAIStyleResponse<Choice>,
  provider: string,
  readChoice: (choice: Choice) => { text: string; logprobs: Logprobs | null },
): CompletionPart {
  const part: CompletionPart = {
    choices: response.choices.map((choice, position) => ({
      index: choice.index ?? position,
      ...readChoice(choice),
      finish_reason: mapOpenAIFinishReason(choice.finish_reason, provider) ?? 'stop',
    })),
  };
  const usage = convertOpenAICompatibleUsage(response.usage);
  if (usage) part.usage = usage;
  if (response.id) part.id = response.id;
  if (response.model) part.model = response.model;
  if (response.system_fingerprint) part.system_fingerprint = response.system_fingerprint;
  return part;
}
