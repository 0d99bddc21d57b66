import type { Prompt } from '../api/completion-request.ts';
import { UnsupportedParameterError } from '../api/errors.ts';

/**
 * The one text prompt of a call to a provider that takes a single message. The engine fans
 * prompt arrays out before a provider sees them (`prompts.arrays: false`), so an array here
 * holds one prompt; token ids cannot be turned back into text without the model's tokenizer.
 *
 * @example singleTextPrompt(['Hello'], 'anthropic') // 'Hello'
 * @throws UnsupportedParameterError for token-id prompts or several prompts at once.
 */
export function singleTextPrompt(prompt: Prompt, provider: string): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  if (prompt.every((item) => typeof item === 'string')) {
    throw new UnsupportedParameterError(`${provider} takes one prompt per request; send the prompts one at a time.`, 'prompt');
  }
  throw new UnsupportedParameterError(`${provider} does not accept token-id prompts; send the prompt as text.`, 'prompt');
}
