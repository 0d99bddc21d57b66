/**
 * Anthropic Claude on Bedrock: the Messages API body with Bedrock's `anthropic_version`, the
 * prompt as one user turn. Stream chunks are Anthropic's own stream events.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily, toStopList } from './bedrock-family.ts';

const schemas = lazy(() => {
  const usage = z.nullish(z.object({ input_tokens: z.nullish(z.number()), output_tokens: z.nullish(z.number()) }));

  const responseSchema = z.object({
    content: z.array(z.object({ type: z.nullish(z.string()), text: z.nullish(z.string()) })),
    stop_reason: z.nullish(z.string()),
    usage,
  });

  const chunkSchema = z.object({
    type: z.string(),
    message: z.nullish(z.object({ usage })),
    delta: z.nullish(z.object({ text: z.nullish(z.string()), stop_reason: z.nullish(z.string()) })),
    usage,
  });
  return { usage, responseSchema, chunkSchema };
});

export const bedrockAnthropic: BedrockFamily = {
  name: 'anthropic',
  api: 'invoke',
  parameters: {
    max_tokens: {},
    temperature: { range: [0, 1] },
    top_p: {},
    stop: { to: 'stop_sequences', transform: toStopList },
    n: 'emulated',
    echo: 'emulated',
  },
  buildBody(prompt, mapped) {
    return { anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }], ...mapped };
  },
  parseResponse(json) {
    const response = expectShape(schemas().responseSchema, json, 'bedrock');
    return {
      text: response.content.map((block) => (block.type === 'text' || block.type == null ? (block.text ?? '') : '')).join(''),
      stopReason: response.stop_reason,
      usage: { inputTokens: response.usage?.input_tokens, outputTokens: response.usage?.output_tokens },
    };
  },
  parseChunk(json) {
    const chunk = expectShape(schemas().chunkSchema, json, 'bedrock');
    switch (chunk.type) {
      case 'message_start':
        return { usage: { inputTokens: chunk.message?.usage?.input_tokens, outputTokens: chunk.message?.usage?.output_tokens } };
      case 'content_block_delta':
        return { text: chunk.delta?.text };
      case 'message_delta':
        return { stopReason: chunk.delta?.stop_reason, usage: { outputTokens: chunk.usage?.output_tokens } };
      default:
        return {};
    }
  },
  finishReasons: { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', refusal: 'content_filter', tool_use: 'stop' },
};
