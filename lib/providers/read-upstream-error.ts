/**
 * The one reader of an upstream's error answer. A provider describes its error body as a
 * schema plus a function to the OpenAI fields (as the Vercel AI SDK's
 * `createJsonErrorResponseHandler({ errorSchema, errorToMessage })` does); bodies that do not
 * match, and providers that describe nothing, go through a reader of the common shapes.
 * Whatever the upstream said of `message`, `type`, `param` and `code` is kept.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { UpstreamError } from '../api/errors.ts';
import type { ResponseHeaders } from './provider.ts';

/** The OpenAI error fields an upstream error body can fill; absent ones are left to the gateway. */
export interface UpstreamErrorFields {
  message?: string | null | undefined;
  type?: string | null | undefined;
  param?: string | null | undefined;
  code?: string | null | undefined;
  /** The status the caller should get, where the upstream wraps another's (SageMaker's ModelError 424 holds its container's). */
  statusCode?: number | undefined;
}

/** How one provider's error bodies look. */
export interface UpstreamErrorFormat {
  schema: { safeParse(value: unknown): { success: true; data: unknown } | { success: false } };
  /** `data` is what `schema` accepted. */
  toFields(data: never, headers: ResponseHeaders): UpstreamErrorFields;
}

/** Bodies longer than this are not read as JSON error details (the status still speaks). */
const MAXIMUM_MESSAGE_CHARACTERS = 500;

/**
 * The error fields of an upstream's error body.
 *
 * @example readUpstreamErrorFields(undefined, '{"error":{"message":"bad","param":"prompt"}}', {}) // { message: 'bad', param: 'prompt', ... }
 */
export function readUpstreamErrorFields(format: UpstreamErrorFormat | undefined, text: string, headers: ResponseHeaders = {}): UpstreamErrorFields {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { message: text.slice(0, MAXIMUM_MESSAGE_CHARACTERS).trim() };
  }
  if (format) {
    const parsed = format.schema.safeParse(json);
    if (parsed.success) return format.toFields(parsed.data as never, headers);
  }
  return readCommonErrorFields(json, text);
}

/** The `UpstreamError` for an error status and its body: the one place an upstream's error is read. */
export function toUpstreamError(
  provider: string,
  format: UpstreamErrorFormat | undefined,
  response: { statusCode: number; headers: IncomingHttpHeaders; text: string },
): UpstreamError {
  const fields = readUpstreamErrorFields(format, response.text, response.headers);
  const retryAfterSeconds = parseRetryAfter(response.headers);
  return new UpstreamError(fields.message || `${provider} answered ${response.statusCode}`, {
    provider,
    statusCode: fields.statusCode ?? response.statusCode,
    ...(fields.type ? { type: fields.type } : {}),
    code: fields.code ?? null,
    param: fields.param ?? null,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

/**
 * The shapes providers use: OpenAI / Anthropic `{error: {message, type, param, code}}`, Google
 * `{error: {message, status}}`, `{message}` (Bedrock, Mistral), `{detail}` (FastAPI-based servers).
 */
function readCommonErrorFields(json: unknown, text: string): UpstreamErrorFields {
  if (typeof json !== 'object' || json === null) return { message: String(json).slice(0, MAXIMUM_MESSAGE_CHARACTERS) };
  const body = json as Record<string, unknown>;
  const error = body.error;
  if (typeof error === 'string') return { message: error };
  if (typeof error === 'object' && error !== null) {
    const fields = error as Record<string, unknown>;
    const code = fields.code ?? fields.status;
    return {
      message: typeof fields.message === 'string' ? fields.message : JSON.stringify(error).slice(0, MAXIMUM_MESSAGE_CHARACTERS),
      code: code === undefined || code === null ? null : String(code),
      ...(typeof fields.type === 'string' ? { type: fields.type } : {}),
      ...(typeof fields.param === 'string' ? { param: fields.param } : {}),
    };
  }
  if (typeof body.message === 'string') return { message: body.message };
  if (typeof body.detail === 'string') return { message: body.detail };
  return { message: text.slice(0, MAXIMUM_MESSAGE_CHARACTERS) };
}

/** Seconds to wait from `retry-after-ms` (OpenAI, Azure) or `retry-after` (seconds or an HTTP date). */
function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds / 1000;
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
