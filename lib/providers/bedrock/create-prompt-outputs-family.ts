/**
 * The Bedrock wire format of DeepSeek and Mistral text completion: `prompt` in with
 * `max_tokens`, `stop`, `temperature`, `top_p`; a list of `{text, stop_reason}` out (named
 * `choices` or `outputs`), the same shape per stream chunk. Usage comes from the response
 * headers or the stream's invocation metrics.
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import type { FinishReasonTable } from '../map-finish-reason.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { toStopSequences } from '../to-stop-sequences.ts';
import type { BedrockFamily, FamilyOutput } from './bedrock-family.ts';

const output = lazy(() => z.array(z.object({ text: z.nullish(z.string()), stop_reason: z.nullish(z.string()) })));

/** @example createPromptOutputsFamily('deepseek', 'choices', { stop: 'stop', length: 'length' }) */
export function createPromptOutputsFamily(name: string, listKey: 'choices' | 'outputs', finishReasons: FinishReasonTable): BedrockFamily {
  const schema = lazy(() => z.object({ [listKey]: output() }));
  function read(json: unknown): FamilyOutput {
    const list = (expectShape(schema(), json, 'bedrock') as Record<string, Array<{ text?: string | null; stop_reason?: string | null }>>)[listKey]!;
    return { text: list.map((item) => item.text ?? '').join(''), stopReason: list.at(-1)?.stop_reason };
  }
  return {
    name,
    api: 'invoke',
    parameters: {
      max_tokens: {},
      stop: { transform: toStopSequences },
      temperature: { range: [0, 1] },
      top_p: {},
    },
    buildBody: (prompt, mapped) => ({ prompt, ...mapped }),
    parseResponse: read,
    parseChunk: read,
    finishReasons,
  };
}
