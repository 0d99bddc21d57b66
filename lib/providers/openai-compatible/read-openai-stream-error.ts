import { UpstreamError } from '../../api/errors.ts';
import { openAICompatibleSchemas } from './openai-compatible-schemas.ts';

/**
 * An error event inside a 200 stream, for the completions and the chat family alike: the
 * upstream's own type, param and code are kept.
 * @example readOpenAIStreamError({ error: { message: 'overloaded', code: 503 } }, 'groq') // UpstreamError 'groq stream error: overloaded', code '503'
 */
export function readOpenAIStreamError(json: unknown, provider: string): UpstreamError {
  const parsed = openAICompatibleSchemas().error.safeParse(json);
  const error = parsed.success ? parsed.data.error : undefined;
  const fields = typeof error === 'object' ? error : undefined;
  const message = typeof error === 'string' ? error : (fields?.message ?? 'error event in stream');
  return new UpstreamError(`${provider} stream error: ${message}`, {
    provider,
    statusCode: 502,
    ...(fields?.type ? { type: fields.type } : {}),
    param: fields?.param ?? null,
    code: fields?.code != null ? String(fields.code) : 'upstream_stream_error',
  });
}
