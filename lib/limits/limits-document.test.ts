import { describe, expect, test } from 'vitest';
import { LimitsDocumentError } from './limit-errors.ts';
import { parseLimitsDocument } from './limits-document.ts';

const SOURCE = 'llm-gateway/limits';

/** The example of DESIGN.md "Limits". */
const DESIGN_EXAMPLE = {
  rules: [
    {
      name: 'team-a',
      principals: ['arn:aws:iam::123456789012:role/team-a-*'],
      per: 'caller',
      requests_per_minute: 600,
      tokens_per_minute: 200000,
      cost_usd_per_day: 50,
      cost_usd_per_month: 1000,
    },
    { name: 'openai-prod', virtual_keys: ['openai-prod'], tokens_per_day: 5000000 },
  ],
};

function refusalOf(json: unknown): LimitsDocumentError {
  try {
    parseLimitsDocument(json, SOURCE);
  } catch (error) {
    if (error instanceof LimitsDocumentError) return error;
    throw error;
  }
  throw new Error('expected the document to be refused');
}

describe('parseLimitsDocument', () => {
  test('accepts the documented example as written', () => {
    expect(parseLimitsDocument(DESIGN_EXAMPLE, SOURCE)).toEqual(DESIGN_EXAMPLE);
  });

  test('accepts an empty rule list (no limits, said explicitly)', () => {
    expect(parseLimitsDocument({ rules: [] }, SOURCE).rules).toEqual([]);
  });

  test.each([
    ['an unknown field in a rule', { rules: [{ name: 'a', requests_per_minute: 1, request_per_minute: 2 }] }, 'rules[0]'],
    ['an unknown top-level field', { rules: [], defaults: {} }, 'defaults'],
    ['a limit as a string', { rules: [{ name: 'a', requests_per_minute: '600' }] }, 'rules[0].requests_per_minute'],
    ['a fractional request count', { rules: [{ name: 'a', requests_per_day: 1.5 }] }, 'rules[0].requests_per_day'],
    ['a negative budget', { rules: [{ name: 'a', cost_usd_per_day: -1 }] }, 'rules[0].cost_usd_per_day'],
    ['per other than "caller"', { rules: [{ name: 'a', per: 'team', requests_per_minute: 1 }] }, 'rules[0].per'],
    ['an empty principals list', { rules: [{ name: 'a', principals: [], requests_per_minute: 1 }] }, 'rules[0].principals'],
    ['a rule without a measure', { rules: [{ name: 'a', principals: ['123456789012'] }] }, 'at least one of'],
    ['a rule name with #', { rules: [{ name: 'a#b', requests_per_minute: 1 }] }, 'rules[0].name'],
    ['two rules of one name', { rules: [{ name: 'a', requests_per_minute: 1 }, { name: 'a', tokens_per_day: 1 }] }, 'rules[1].name'],
    ['no rules field', {}, 'rules'],
    ['a JSON array', [], 'expected object'],
    ['null', null, 'expected object'],
  ])('refuses %s with a 500 naming the source', (_name, json, detail) => {
    const error = refusalOf(json);
    expect(error.statusCode).toBe(500);
    expect(error.source).toBe(SOURCE);
    expect(error.message).toContain(`The limits document ${SOURCE} is invalid`);
    expect(error.message).toContain(detail);
    expect(error.toOpenAIError().error).toMatchObject({ type: 'api_error', code: 'invalid_limits_document' });
  });
});
