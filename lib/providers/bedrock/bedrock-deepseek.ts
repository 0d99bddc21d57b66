/**
 * DeepSeek (R1) on Bedrock: `prompt` in, `choices[{text, stop_reason}]` out, the same shape
 * per stream chunk.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-deepseek.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily, type FamilyOutput, toStopList } from './bedrock-family.ts';

const schemas = lazy(() => {
  const schema = z.object({
    choices: z.array(z.object({ text: z.nullish(z.string()), stop_reason: z.nullish(z.string()) })),
  });
  return { schema };
});

function read(json: unknown): FamilyOutput {
  const { choices } = expectShape(schemas().schema, json, 'bedrock');
  return { text: choices.map((choice) => choice.text ?? '').join(''), stopReason: choices.at(-1)?.stop_reason };
}

export const bedrockDeepSeek: BedrockFamily = {
  name: 'deepseek',
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
  finishReasons: { stop: 'stop', length: 'length' },
};
