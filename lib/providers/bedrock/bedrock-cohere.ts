/**
 * Cohere Command R / R+ on Bedrock: the prompt is the chat `message`; the answer is `text`
 * with `finish_reason`. A stream is `text-generation` events and a final `stream-end`.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily } from './bedrock-family.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

const schemas = lazy(() => {
  const responseSchema = z.object({ text: z.nullish(z.string()), finish_reason: z.nullish(z.string()) });

  const chunkSchema = z.object({
    event_type: z.nullish(z.string()),
    text: z.nullish(z.string()),
    is_finished: z.nullish(z.boolean()),
    finish_reason: z.nullish(z.string()),
  });
  return { responseSchema, chunkSchema };
});

export const bedrockCohere: BedrockFamily = {
  name: 'cohere',
  api: 'invoke',
  parameters: {
    max_tokens: {},
    temperature: { range: [0, 1] },
    top_p: { to: 'p', range: [0.01, 0.99] },
    stop: { to: 'stop_sequences', transform: toStopSequences },
    seed: {},
    frequency_penalty: { range: [0, 1] },
    presence_penalty: { range: [0, 1] },
  },
  buildBody: (prompt, mapped) => ({ message: prompt, ...mapped }),
  parseResponse(json) {
    const response = expectShape(schemas().responseSchema, json, 'bedrock');
    return { text: response.text ?? '', stopReason: response.finish_reason };
  },
  parseChunk(json) {
    const chunk = expectShape(schemas().chunkSchema, json, 'bedrock');
    if (chunk.event_type === 'text-generation') return { text: chunk.text };
    if (chunk.event_type === 'stream-end' || chunk.is_finished) return { stopReason: chunk.finish_reason ?? 'COMPLETE' };
    return {};
  },
  finishReasons: { COMPLETE: 'stop', STOP_SEQUENCE: 'stop', MAX_TOKENS: 'length', ERROR_LIMIT: 'length', ERROR_TOXIC: 'content_filter' },
};
