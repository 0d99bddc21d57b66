/**
 * Every other Bedrock model, through the Converse API: the prompt is the user turn and the
 * parameters go to `inferenceConfig`. Amazon Nova's native body is the same schema, so Nova
 * (bedrock-nova.ts) reuses the readers here.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { type BedrockFamily, type FamilyChunk, type FamilyOutput } from './bedrock-family.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

const schemas = lazy(() => {
  const usage = z.nullish(z.object({ inputTokens: z.nullish(z.number()), outputTokens: z.nullish(z.number()) }));

  const responseSchema = z.object({
    output: z.object({ message: z.object({ content: z.array(z.object({ text: z.nullish(z.string()) })) }) }),
    stopReason: z.nullish(z.string()),
    usage,
  });

  /** A ConverseStream event keyed by its type, as Nova's InvokeModel stream chunks also are. */
  const chunkSchema = z.object({
    contentBlockDelta: z.nullish(z.object({ delta: z.nullish(z.object({ text: z.nullish(z.string()) })) })),
    messageStop: z.nullish(z.object({ stopReason: z.nullish(z.string()) })),
    metadata: z.nullish(z.object({ usage })),
  });
  return { usage, responseSchema, chunkSchema };
});

export function readConverseResponse(json: unknown): FamilyOutput {
  const response = expectShape(schemas().responseSchema, json, 'bedrock');
  return {
    text: response.output.message.content.map((block) => block.text ?? '').join(''),
    stopReason: response.stopReason,
    usage: { inputTokens: response.usage?.inputTokens, outputTokens: response.usage?.outputTokens },
  };
}

export function readConverseChunk(json: unknown): FamilyChunk {
  const chunk = expectShape(schemas().chunkSchema, json, 'bedrock');
  const part: FamilyChunk = {};
  if (chunk.contentBlockDelta?.delta?.text) part.text = chunk.contentBlockDelta.delta.text;
  if (chunk.messageStop) part.stopReason = chunk.messageStop.stopReason;
  if (chunk.metadata?.usage) part.usage = { inputTokens: chunk.metadata.usage.inputTokens, outputTokens: chunk.metadata.usage.outputTokens };
  return part;
}

/** Converse stop reasons, shared with Nova. */
export const converseFinishReasons = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  content_filtered: 'content_filter',
  guardrail_intervened: 'content_filter',
} as const;

export const converseParameters = {
  max_tokens: { to: 'inferenceConfig.maxTokens' },
  stop: { to: 'inferenceConfig.stopSequences', transform: toStopSequences },
  temperature: { to: 'inferenceConfig.temperature', range: [0, 1] },
  top_p: { to: 'inferenceConfig.topP' },
} as const satisfies BedrockFamily['parameters'];

export const bedrockConverse: BedrockFamily = {
  name: 'converse',
  api: 'converse',
  parameters: converseParameters,
  buildBody: (prompt, mapped) => ({ messages: [{ role: 'user', content: [{ text: prompt }] }], ...mapped }),
  parseResponse: readConverseResponse,
  parseChunk: readConverseChunk,
  finishReasons: converseFinishReasons,
};
