/**
 * A SageMaker container's answer and stream lines in OpenAI terms, per container family.
 * - `tgi`: `[{generated_text, details: {finish_reason, generated_tokens}}]`; stream lines
 *   `data:{"token":{...},"generated_text":null,"details":null}`, the last with both set, or
 *   `data:{"error":...,"error_type":...}`.
 * - `lmi`: the same without the array (or with it, under `tgi_compat`); stream lines are JSON
 *   (`{"token":{"text","log_prob"}}`), the last with `generated_text` and `details`; a
 *   `finish_reason` of `error` is a failed generation, never a clean end.
 * - `openai`: OpenAI `text_completion` objects and chunks, `data: [DONE]` last.
 * TGI and LMI report no prompt token count: usage carries `generatedTokens` and the engine
 * counts the prompt itself.
 * @see https://huggingface.co/docs/text-generation-inference/en/reference/api_reference
 * @see https://docs.djl.ai/docs/serving/serving/docs/lmi/user_guides/lmi_input_output_schema.html
 */
import type { FinishReason } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';
import type { CompletionPart } from '../provider.ts';
import type { SageMakerContainer } from './build-sagemaker-container-body.ts';

export interface SageMakerOutput {
  part: CompletionPart;
  /** TGI's / LMI's `details.generated_tokens`, when the container sent it. */
  generatedTokens?: number;
}

type Json = Record<string, unknown>;

/**
 * TGI / LMI finish reasons. `error` (LMI) throws; a reason neither documents is reported as a
 * natural stop, since the text that came is whole.
 */
export function mapSageMakerFinishReason(reason: unknown): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'length':
      return 'length';
    case 'error':
      throw new UpstreamError('sagemaker: the model container reported an error during generation', {
        provider: 'sagemaker',
        statusCode: 502,
        code: 'generation_error',
      });
    default:
      // eos_token, stop_sequence
      return 'stop';
  }
}

/** A whole (non-streamed) answer. @throws UpstreamError (502) for a shape the container family never sends. */
export function readSageMakerResponse(container: SageMakerContainer, body: unknown): SageMakerOutput {
  if (container === 'openai') return { part: readOpenAIShape(body) };
  const first = Array.isArray(body) ? (body[0] as unknown) : body;
  if (!isObject(first) || typeof first.generated_text !== 'string') throw malformed(container);
  const details = isObject(first.details) ? first.details : undefined;
  const output: SageMakerOutput = {
    part: { choices: [{ index: 0, text: first.generated_text, logprobs: null, finish_reason: mapSageMakerFinishReason(details?.finish_reason) ?? 'stop' }] },
  };
  if (typeof details?.generated_tokens === 'number') output.generatedTokens = details.generated_tokens;
  return output;
}

/**
 * One line of a stream (already split, `data:` prefix and all): a part, `'done'` for
 * `data: [DONE]`, or `null` for nothing to say (blank lines, comments, `event:` lines).
 * @throws UpstreamError for an error line or a line that is not JSON.
 */
export function readSageMakerStreamLine(container: SageMakerContainer, line: string): SageMakerOutput | 'done' | null {
  let text = line.trim();
  if (text === '' || text.startsWith(':') || text.startsWith('event:') || text.startsWith('id:')) return null;
  if (text.startsWith('data:')) text = text.slice(5).trim();
  if (text === '[DONE]') return 'done';
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    throw new UpstreamError(`sagemaker (${container}): a stream line is not JSON`, { provider: 'sagemaker', statusCode: 502, cause: error });
  }
  if (!isObject(event)) throw malformed(container);
  if (event.error !== undefined && event.error !== null) {
    const message = typeof event.error === 'string' ? event.error : JSON.stringify(event.error);
    throw new UpstreamError(`sagemaker (${container}): ${message}`, {
      provider: 'sagemaker',
      statusCode: 502,
      code: typeof event.error_type === 'string' ? event.error_type : 'generation_error',
    });
  }
  if (container === 'openai') return { part: readOpenAIShape(event) };

  const token = isObject(event.token) ? event.token : undefined;
  // An end-of-sequence token is marked special (`special` on TGI, `special_token` on LMI) and is no text.
  const special = token?.special === true || token?.special_token === true;
  const details = isObject(event.details) ? event.details : undefined;
  const output: SageMakerOutput = {
    part: {
      choices: [
        {
          index: 0,
          text: !special && typeof token?.text === 'string' ? token.text : '',
          logprobs: null,
          finish_reason: mapSageMakerFinishReason(details?.finish_reason),
        },
      ],
    },
  };
  if (typeof details?.generated_tokens === 'number') output.generatedTokens = details.generated_tokens;
  return output;
}

/** OpenAI's completion object or chunk, read leniently (only the fields used). */
function readOpenAIShape(body: unknown): CompletionPart {
  if (!isObject(body) || !Array.isArray(body.choices)) throw malformed('openai');
  const part: CompletionPart = {
    choices: body.choices.filter(isObject).map((choice, position) => ({
      index: typeof choice.index === 'number' ? choice.index : position,
      text: typeof choice.text === 'string' ? choice.text : '',
      logprobs: isObject(choice.logprobs) ? (choice.logprobs as CompletionPart['choices'][number]['logprobs']) : null,
      finish_reason: mapOpenAIStyleReason(choice.finish_reason),
    })),
  };
  if (typeof body.id === 'string') part.id = body.id;
  if (typeof body.model === 'string') part.model = body.model;
  const usage = isObject(body.usage) ? body.usage : undefined;
  if (typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    part.usage = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : usage.prompt_tokens + usage.completion_tokens,
    };
  }
  return part;
}

function mapOpenAIStyleReason(reason: unknown): FinishReason | null {
  if (reason === null || reason === undefined) return null;
  if (reason === 'length') return 'length';
  if (reason === 'content_filter') return 'content_filter';
  return 'stop';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(container: SageMakerContainer): UpstreamError {
  return new UpstreamError(`sagemaker (${container}): the container answered in a shape this container format does not produce`, {
    provider: 'sagemaker',
    statusCode: 502,
    code: 'unexpected_response_shape',
  });
}
