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
    const now = input.at ? input.at.getTime() : Date.now();
    const flat = flatPrices.get(`${key.provider}\u0000${key.model}`);
    if (flat && now - flat.at < FLAT_PRICE_TTL_MS && now >= flat.at) {
      return roundUsd((input.promptTokens * flat.inputMtok + input.completionTokens * flat.outputMtok) / 1e6);
    }
    const at = input.at ?? new Date(now);
    const { calcPrice } = await loadTable();
    const price = calcPrice({ input_tokens: input.promptTokens, output_tokens: input.completionTokens }, key.model, { providerId: key.provider, timestamp: at });
    if (price) {
      rememberFlatPrice(`${key.provider}\u0000${key.model}`, price.model_price, at);
      return roundUsd(price.total_price);
    }
  }
  warnOnce(input.provider, input.model);
  return null;
}

/**
 * `calcPrice` finds the model among the provider's by match rules on every call (~270 µs warm,
 * bench/usage-measure.ts: most of what the usage record costs a request). The price it found is
 * kept a minute when it is flat per token: a price per million input and output tokens and
 * nothing else that our two counts could touch (cache prices apply to cache tokens, which we never
 * pass). Tiered prices, per-request prices and the like go through `calcPrice` every time. A
 * minute bounds how late a dated or time-of-day price change is seen.
 */
const FLAT_PRICE_TTL_MS = 60_000;
const FLAT_PRICE_KEYS = new Set(['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok']);
const flatPrices = new Map<string, { inputMtok: number; outputMtok: number; at: number }>();

function rememberFlatPrice(id: string, modelPrice: Record<string, unknown>, at: Date): void {
  const inputMtok = modelPrice.input_mtok ?? 0;
  const outputMtok = modelPrice.output_mtok ?? 0;
  if (typeof inputMtok !== 'number' || typeof outputMtok !== 'number') return;
  for (const name in modelPrice) if (modelPrice[name] !== undefined && !FLAT_PRICE_KEYS.has(name)) return;
  // A caller can send any model name: bound the memory this takes.
  if (flatPrices.size >= 1000) flatPrices.clear();
  flatPrices.set(id, { inputMtok, outputMtok, at: at.getTime() });
}

/** For tests: forget the flat prices kept, so the next lookup asks the table. */
export function resetFlatPrices(): void {
  flatPrices.clear();
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
