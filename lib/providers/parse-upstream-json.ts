import { UpstreamError } from '../api/errors.ts';

/** JSON.parse that turns garbage from a provider into a 502 naming the provider. */
export function parseUpstreamJson(text: string, provider: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UpstreamError(`${provider} sent a malformed JSON message.`, { provider, statusCode: 502, code: 'malformed_upstream_response', cause: error });
  }
}

/** Validates a provider message against its minimal schema; a mismatch is a 502. */
export function expectShape<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown } },
  value: unknown,
  provider: string,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UpstreamError(`${provider} sent a response of an unexpected shape.`, {
    provider,
    statusCode: 502,
    code: 'malformed_upstream_response',
    cause: result.error,
  });
}
