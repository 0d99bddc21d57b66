import { describe, expect, test } from 'vitest';
import { pricingSchema } from './pricing-schema.ts';

describe('pricingSchema', () => {
  test('accepts the documented pricing, free models included', () => {
    expect(pricingSchema().parse({ prompt_usd_per_million_tokens: 1.5, completion_usd_per_million_tokens: 2 })).toEqual({ prompt_usd_per_million_tokens: 1.5, completion_usd_per_million_tokens: 2 });
    expect(pricingSchema().safeParse({ prompt_usd_per_million_tokens: 0, completion_usd_per_million_tokens: 0 }).success).toBe(true);
  });

  test.each([
    [{ prompt_usd_per_million_tokens: 1.5 }],
    [{ prompt_usd_per_million_tokens: -1, completion_usd_per_million_tokens: 2 }],
    [{ prompt_usd_per_million_tokens: '1.5', completion_usd_per_million_tokens: 2 }],
    [{ prompt_usd_per_million_tokens: Number.POSITIVE_INFINITY, completion_usd_per_million_tokens: 2 }],
    [{ prompt_usd_per_million_tokens: 1, completion_usd_per_million_tokens: 2, currency: 'EUR' }],
    [{ prompt_usd_per_token: 0.0000015, completion_usd_per_token: 0.000002 }],
  ])('refuses %j', (pricing) => {
    expect(pricingSchema().safeParse(pricing).success).toBe(false);
  });
});
