import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../api/errors.ts';
import { scrubCredentials, scrubUpstreamError } from './scrub-credentials.ts';

const KEY = 'sk-abc1def2ghi3jkl4mno5pqr6wxyz';

describe('scrubCredentials', () => {
  it.each([
    [`Incorrect API key provided: ${KEY}.`, 'Incorrect API key provided: [redacted].'],
    ['Incorrect API key provided: sk-abc1d*********************wxyz.', 'Incorrect API key provided: [redacted].'],
    ['key sk-abc1def2... is invalid', 'key [redacted]... is invalid'],
    ['key ending in wxyz was revoked', 'key ending in [redacted] was revoked'],
    ['"x-api-key": "…pqr6wxyz"', '"x-api-key": "[redacted]"'],
    // The whole token goes, the URL escape's digits with it.
    [`header=Bearer%20${KEY.slice(0, 16)}`, 'header=Bearer%[redacted]'],
  ])('scrubs %s', (text, expected) => {
    expect(scrubCredentials(text, [KEY])).toBe(expected);
  });

  it.each(['Rate limit reached for requests', 'The model text-davinci-003 has been deprecated', 'Invalid value for max_tokens: 99999'])('leaves %s alone', (text) => {
    expect(scrubCredentials(text, [KEY])).toBe(text);
  });

  it('scrubs a short value only whole', () => {
    expect(scrubCredentials('token abc123 and abc1 stay', ['abc123'])).toBe('token [redacted] and abc1 stay');
  });

  it('scrubs message, param, code and the cause of an upstream error, keeping its status', () => {
    const error = new UpstreamError(`bad key ${KEY}`, { provider: 'openai', statusCode: 401, param: KEY, code: `${KEY.slice(0, 12)}***`, cause: new SyntaxError(`Unexpected token in "${KEY}"`) });
    scrubUpstreamError(error, [KEY]);
    expect(JSON.stringify([error.message, error.param, error.code, (error.cause as Error).message])).not.toContain(KEY.slice(0, 12));
    expect(error.statusCode).toBe(401);
    expect((error.cause as Error).name).toBe('SyntaxError');
  });
});
