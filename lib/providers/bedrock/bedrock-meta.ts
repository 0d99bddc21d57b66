/**
 * Meta Llama on Bedrock: a raw `prompt` with `max_gen_len`; the answer is `generation` with
 * token counts, the same shape in every stream chunk.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily, type FamilyOutput } from './bedrock-family.ts';

const schemas = lazy(() => {
  const schema = z.object({
    generation: z.nullish(z.string()),
    prompt_token_count: z.nullish(z.number()),
    generation_token_count: z.nullish(z.number()),
    stop_reason: z.nullish(z.string()),
  });
  return { schema };
});

function read(json: unknown): FamilyOutput {
  const body = expectShape(schemas().schema, json, 'bedrock');
  return {
    text: body.generation ?? '',
    stopReason: body.stop_reason,
    usage: { inputTokens: body.prompt_token_count, outputTokens: body.generation_token_count },
  };
}

export const bedrockMeta: BedrockFamily = {
  name: 'meta',
  api: 'invoke',
  parameters: {
    max_tokens: { to: 'max_gen_len' },
    temperature: { range: [0, 1] },
    top_p: {},
  },
  buildBody: (prompt, mapped) => ({ prompt, ...mapped }),
  parseResponse: read,
  // A stream chunk carries the running counts of the stream so far.
  parseChunk: read,
  finishReasons: { stop: 'stop', length: 'length' },
};
