/**
 * The price table's cost of a request's tokens, from `@pydantic/genai-prices`, loaded by `import()`
 * on the first priced request so the table (~800 KB of data) is no part of the cold start.
 *
 * The table ships inside the package and is what we price with. The package can swap it for a
 * fresher one fetched from GitHub, but only when `updatePrices()` is called with a fetching
 * factory; nothing here calls it, so no price is ever fetched at run time (a test holds to that).
 */
import { log } from '../log.ts';
import { roundUsd } from './compute-cost-usd.ts';
import { toPriceTableKey } from './price-table-ids.ts';

type PriceTableModule = typeof import('@pydantic/genai-prices');

let table: Promise<PriceTableModule> | undefined;
const warned = new Set<string>();

function loadTable(): Promise<PriceTableModule> {
  table ??= import('@pydantic/genai-prices').catch((error: unknown) => {
    table = undefined;
    throw error;
  });
  return table;
}

/**
 * Starts loading the table without waiting for it: call it when a request starts, so the load
 * (~80-130 ms on a cold container, bench/usage-measure.ts) overlaps the upstream call instead of
 * following the last byte. A failed load is retried by the next lookup.
 */
export function preloadPriceTable(): void {
  loadTable().catch(() => undefined);
}

export interface TableCostInput {
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** When the tokens were used: the table has dated prices. Default now. */
  at?: Date;
}

/**
 * The cost in USD, or null when the table has no price for this provider and model (then one
 * warning per provider and model per container says so, and how to give one).
 *
 * @example
 * await lookUpTableCost({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 1000, completionTokens: 500 }); // 0.00045
 */
export async function lookUpTableCost(input: TableCostInput): Promise<number | null> {
  const key = toPriceTableKey(input.provider, input.model);
  if (key) {
    const { calcPrice } = await loadTable();
    const price = calcPrice({ input_tokens: input.promptTokens, output_tokens: input.completionTokens }, key.model, {
      providerId: key.provider,
      timestamp: input.at ?? new Date(),
    });
    if (price) return roundUsd(price.total_price);
  }
  warnOnce(input.provider, input.model);
  return null;
}

function warnOnce(provider: string, model: string): void {
  const id = `${provider}\u0000${model}`;
  if (warned.has(id)) return;
  // A caller can send any model name: bound the memory this takes.
  if (warned.size >= 1000) warned.clear();
  warned.add(id);
  log.warn('price unknown', { provider, model, hint: 'give the target a pricing {prompt_usd_per_million_tokens, completion_usd_per_million_tokens}' });
}

/** For tests: forget the warnings given (the table stays loaded). */
export function resetPriceWarnings(): void {
  warned.clear();
}
