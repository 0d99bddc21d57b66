import type { IncomingHttpHeaders } from 'node:http';

/**
 * Reads the message of an error body in the shapes providers use: OpenAI / Anthropic
 * `{error: {message, type, code}}`, Google `{error: {message, status}}`, `{message}`
 * (Bedrock, Mistral), `{detail}` (FastAPI-based servers), or plain text.
 */
export function readUpstreamError(text: string): { message: string; code?: string | null; type?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500).trim() };
  }
  if (typeof json !== 'object' || json === null) return { message: String(json).slice(0, 500) };
  const body = json as Record<string, unknown>;
  const error = body.error;
  if (typeof error === 'string') return { message: error };
  if (typeof error === 'object' && error !== null) {
    const fields = error as Record<string, unknown>;
    const code = fields.code ?? fields.status;
    return {
      message: typeof fields.message === 'string' ? fields.message : JSON.stringify(error).slice(0, 500),
      code: code === undefined || code === null ? null : String(code),
      ...(typeof fields.type === 'string' ? { type: fields.type } : {}),
    };
  }
  if (typeof body.message === 'string') return { message: body.message };
  if (typeof body.detail === 'string') return { message: body.detail };
  return { message: text.slice(0, 500) };
}

/** Seconds to wait from `retry-after-ms` (OpenAI, Azure) or `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds / 1000;
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
