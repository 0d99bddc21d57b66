/**
 * Mistral text completion on Bedrock: `prompt` in, `outputs[{text, stop_reason}]` out, the
 * same shape per stream chunk.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
 */
import { createPromptOutputsFamily } from './create-prompt-outputs-family.ts';

export const bedrockMistral = createPromptOutputsFamily('mistral', 'outputs', { stop: 'stop', length: 'length', model_length: 'length' });
