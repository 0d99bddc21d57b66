import { InvalidRequestError } from './errors.ts';

/** Lambda's own request payload limit; larger bodies would fail less clearly further in. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface RawBody {
  body: string | null | undefined;
  isBase64Encoded?: boolean;
  contentType: string | undefined;
}

/**
 * Checks the content type and size of a raw HTTP body and parses its JSON.
 * Each failure is a distinct 4xx in the OpenAI error shape, never a 500.
 *
 * @example parseJsonBody({ body: '{"a":1}', contentType: 'application/json' }) // { a: 1 }
 */
export function parseJsonBody({ body, isBase64Encoded, contentType }: RawBody): unknown {
  if (body === null || body === undefined || body === '') {
    throw new InvalidRequestError('The request body is empty; send a JSON object.', { code: 'empty_body' });
  }
  if (contentType !== undefined && !isJsonContentType(contentType)) {
    throw new InvalidRequestError(`Unsupported content type "${contentType}"; send application/json.`, {
      statusCode: 415,
      code: 'unsupported_media_type',
    });
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  // String length bounds byte length from below, so the cheap check comes first.
  if (text.length > MAX_BODY_BYTES || Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new InvalidRequestError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`, {
      statusCode: 413,
      code: 'request_too_large',
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError(`The request body is not valid JSON: ${(error as Error).message}`, {
      code: 'invalid_json',
    });
  }
}

function isJsonContentType(contentType: string): boolean {
  // What nearly every client sends, checked without splitting and lower-casing it.
  if (contentType === 'application/json') return true;
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}
