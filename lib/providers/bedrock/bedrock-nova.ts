/**
 * Amazon Nova through InvokeModel: the messages schema with `inferenceConfig`, answered in
 * the Converse shape; stream chunks are Converse events keyed by type.
 * @see https://docs.aws.amazon.com/nova/latest/nova2-userguide/using-invoke-api.html
 * @see https://docs.aws.amazon.com/nova/latest/nova2-userguide/request-response-schema.html
 */
import type { BedrockFamily } from './bedrock-family.ts';
import { converseFinishReasons, converseParameters, readConverseChunk, readConverseResponse } from './bedrock-converse.ts';

export const bedrockNova: BedrockFamily = {
  name: 'nova',
  api: 'invoke',
  parameters: converseParameters,
  buildBody: (prompt, mapped) => ({ messages: [{ role: 'user', content: [{ text: prompt }] }], ...mapped }),
  parseResponse: readConverseResponse,
  parseChunk: readConverseChunk,
  finishReasons: converseFinishReasons,
};
