/**
 * DeepSeek (R1) on Bedrock: `prompt` in, `choices[{text, stop_reason}]` out, the same shape
 * per stream chunk.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-deepseek.html
 */
import { createPromptOutputsFamily } from './create-prompt-outputs-family.ts';

export const bedrockDeepSeek = createPromptOutputsFamily('deepseek', 'choices', { stop: 'stop', length: 'length' });
