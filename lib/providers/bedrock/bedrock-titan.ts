/**
 * Amazon Titan Text: `inputText` with a `textGenerationConfig`; `results[]` out. A stream
 * chunk is `{outputText, completionReason, totalOutputTextTokenCount, inputTextTokenCount}`.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily } from './bedrock-family.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

const schemas = lazy(() => {
  const responseSchema = z.object({
    inputTextTokenCount: z.nullish(z.number()),
    results: z.array(z.object({ tokenCount: z.nullish(z.number()), outputText: z.nullish(z.string()), completionReason: z.nullish(z.string()) })),
  });

  const chunkSchema = z.object({
    outputText: z.nullish(z.string()),
    completionReason: z.nullish(z.string()),
    inputTextTokenCount: z.nullish(z.number()),
    totalOutputTextTokenCount: z.nullish(z.number()),
  });
  return { responseSchema, chunkSchema };
});

export const bedrockTitan: BedrockFamily = {
  name: 'titan',
  api: 'invoke',
  parameters: {
    max_tokens: { to: 'textGenerationConfig.maxTokenCount' },
    stop: { to: 'textGenerationConfig.stopSequences', transform: toStopSequences },
    temperature: { to: 'textGenerationConfig.temperature', range: [0, 1] },
    top_p: { to: 'textGenerationConfig.topP' },
  },
  buildBody: (prompt, mapped) => ({ inputText: prompt, ...mapped }),
  parseResponse(json) {
    const response = expectShape(schemas().responseSchema, json, 'bedrock');
    const outputTokens = response.results.reduce((sum, result) => sum + (result.tokenCount ?? 0), 0);
    return {
      text: response.results.map((result) => result.outputText ?? '').join(''),
      stopReason: response.results.at(-1)?.completionReason,
      usage: { inputTokens: response.inputTextTokenCount, outputTokens },
    };
  },
  parseChunk(json) {
    const chunk = expectShape(schemas().chunkSchema, json, 'bedrock');
    return {
      text: chunk.outputText,
      stopReason: chunk.completionReason,
      usage: { inputTokens: chunk.inputTextTokenCount, outputTokens: chunk.totalOutputTextTokenCount },
    };
  },
  finishReasons: {
    FINISH: 'stop',
    FINISHED: 'stop',
    STOP_CRITERIA_MET: 'stop',
    LENGTH: 'length',
    CONTENT_FILTERED: 'content_filter',
    RAG_QUERY_WHEN_RAG_DISABLED: 'stop',
  },
};
