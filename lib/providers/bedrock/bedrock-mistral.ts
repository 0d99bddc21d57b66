/**
 * Mistral text completion on Bedrock: `prompt` in, `outputs[{text, stop_reason}]` out, the
 * same shape per stream chunk. Usage comes from the response headers or the stream's
 * invocation metrics.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily, type FamilyOutput, toStopList } from './bedrock-family.ts';

const schemas = lazy(() => {
  const schema = z.object({
    outputs: z.array(z.object({ text: z.nullish(z.string()), stop_reason: z.nullish(z.string()) })),
  });
  return { schema };
});

function read(json: unknown): FamilyOutput {
  const { outputs } = expectShape(schemas().schema, json, 'bedrock');
  return { text: outputs.map((output) => output.text ?? '').join(''), stopReason: outputs.at(-1)?.stop_reason };
}

export const bedrockMistral: BedrockFamily = {
  name: 'mistral',
  api: 'invoke',
  parameters: {
    max_tokens: {},
    stop: { transform: toStopList },
    temperature: { range: [0, 1] },
    top_p: {},
  },
  buildBody: (prompt, mapped) => ({ prompt, ...mapped }),
  parseResponse: read,
  parseChunk: read,
  finishReasons: { stop: 'stop', length: 'length', model_length: 'length' },
};
