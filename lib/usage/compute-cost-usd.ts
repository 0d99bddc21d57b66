/**
 * A target's own price, which overrides the price table: the `pricing` object of a virtual key's
 * secret or a config target, in US dollars per million tokens (DESIGN.md, "Usage record").
 * `{"prompt_usd_per_million_tokens": 1.5, "completion_usd_per_million_tokens": 2}`
 */
export interface Pricing {
  prompt_usd_per_million_tokens: number;
  completion_usd_per_million_tokens: number;
}

/**
 * @example
 * computeCostUsd({ promptTokens: 1000, completionTokens: 500 },
 *                { prompt_usd_per_million_tokens: 1.5, completion_usd_per_million_tokens: 2 }); // 0.0025
 */
export function computeCostUsd(tokens: { promptTokens: number; completionTokens: number }, pricing: Pricing): number {
  return roundUsd((tokens.promptTokens * pricing.prompt_usd_per_million_tokens + tokens.completionTokens * pricing.completion_usd_per_million_tokens) / 1e6);
}

/** Costs are sums of small products; 10 decimals (a ten-thousandth of a micro-dollar) hide float noise. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}
