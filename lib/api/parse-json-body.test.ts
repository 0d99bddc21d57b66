import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from './errors.ts';
import { MAX_BODY_BYTES, parseJsonBody } from './parse-json-body.ts';

function failure(input: Parameters<typeof parseJsonBody>[0]): InvalidRequestError {
  try {
    parseJsonBody(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected a failure');
}

describe('parseJsonBody', () => {
  it('parses JSON with or without a charset, and base64 bodies', () => {
    expect(parseJsonBody({ body: '{"a":1}', contentType: 'application/json' })).toEqual({ a: 1 });
    expect(parseJsonBody({ body: '{"a":1}', contentType: 'application/json; charset=utf-8' })).toEqual({ a: 1 });
    expect(parseJsonBody({ body: Buffer.from('{"b":2}').toString('base64'), isBase64Encoded: true, contentType: 'application/json' })).toEqual({ b: 2 });
  });

  it('answers 400 for an empty body', () => {
    for (const body of ['', null, undefined]) expect(failure({ body, contentType: 'application/json' })).toMatchObject({ statusCode: 400, code: 'empty_body' });
  });

  it('answers 415 for a non-JSON content type', () => {
    expect(failure({ body: 'a=1', contentType: 'application/x-www-form-urlencoded' })).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
    expect(failure({ body: '{}', contentType: 'text/plain' })).toMatchObject({ statusCode: 415 });
  });

  it('answers 400 for malformed JSON, saying why', () => {
    const error = failure({ body: '{"model": ', contentType: 'application/json' });
    expect(error).toMatchObject({ statusCode: 400, code: 'invalid_json' });
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('answers 413 past 6 MB, counting bytes rather than characters', () => {
    expect(failure({ body: `"${'a'.repeat(MAX_BODY_BYTES)}"`, contentType: 'application/json' })).toMatchObject({ statusCode: 413 });
    // 3 MB of a 3-byte character is 9 MB on the wire.
    expect(failure({ body: `"${'€'.repeat(3 * 1024 * 1024)}"`, contentType: 'application/json' })).toMatchObject({ statusCode: 413 });
  });
});
