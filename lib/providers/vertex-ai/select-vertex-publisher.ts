/**
 * Which publisher's API a Vertex AI model is served by, read from the model id as Portkey does:
 * `anthropic.claude-…` (or a bare `claude-…`) is Anthropic's Messages API through `rawPredict`;
 * `google.gemini-…` or a bare id is Gemini's `generateContent`. Other publishers (Llama, Mistral
 * on Vertex) speak other formats and are refused for now.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
 */
import { InvalidRequestError } from '../../api/errors.ts';

export type VertexPublisher = 'google' | 'anthropic';

/** A model id in a URL path segment: Vertex ids are letters, digits, `.`, `-`, `_` and `@` (Claude's version). */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/**
 * @example selectVertexPublisher('anthropic.claude-3-5-haiku@20241022') // { publisher: 'anthropic', model: 'claude-3-5-haiku@20241022' }
 * @throws InvalidRequestError for another publisher's prefix or a model id that is not one.
 */
export function selectVertexPublisher(model: string): { publisher: VertexPublisher; model: string } {
  const dot = model.indexOf('.');
  const prefix = dot > 0 ? model.slice(0, dot) : undefined;
  let selected: { publisher: VertexPublisher; model: string };
  if (prefix === 'anthropic' || prefix === 'google') selected = { publisher: prefix, model: model.slice(dot + 1) };
  else if (['meta', 'mistralai', 'endpoints'].includes(prefix ?? '')) {
    throw new InvalidRequestError(`vertex-ai: ${prefix} models are not supported yet; use a Gemini or Claude model.`, { param: 'model', code: 'unsupported_model' });
  } else selected = { publisher: model.startsWith('claude-') ? 'anthropic' : 'google', model };
  if (!MODEL_ID.test(selected.model)) throw new InvalidRequestError('vertex-ai: the model is not a Vertex AI model id.', { param: 'model', code: 'invalid_model' });
  return selected;
}
