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
import { type PriceTableKey, toPriceTableKey } from './price-table-ids.ts';

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
 * Starts loading the table without waiting for it: call it once a provider request is on the wire
 * (create-usage-recorder.ts), so the load overlaps the upstream's answer instead of following the
 * last byte. A failed load is retried by the next lookup.
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
  return priceFromTable(input);
}

/**
 * The same, without a promise when the answer is known without the table's module: a price kept
 * from an earlier lookup, or a provider and model the table cannot know. The usage record of most
 * requests is thus written in one synchronous step (bench/usage-recording-runtime.ts).
 */
export function priceFromTable(input: TableCostInput): number | null | Promise<number | null> {
  const key = toPriceTableKey(input.provider, input.model);
  if (!key) return noPrice(input);
  const id = `${key.provider}\u0000${key.model}`;
  const now = input.at ? input.at.getTime() : Date.now();
  const kept = keptPrices.get(id);
  if (kept && now - kept.at < KEPT_PRICE_TTL_MS && now >= kept.at) {
    return kept.price ? roundUsd(linearCost(kept.price, input)) : noPrice(input);
  }
  return askTable(input, key, id, input.at ?? new Date(now));
}

async function askTable(input: TableCostInput, key: PriceTableKey, id: string, at: Date): Promise<number | null> {
  const { calcPrice } = await loadTable();
  const price = calcPrice({ input_tokens: input.promptTokens, output_tokens: input.completionTokens }, key.model, { providerId: key.provider, timestamp: at });
  if (!price) {
    keepPrice(id, null, at);
    return noPrice(input);
  }
  const flat = flatPriceOf(price.model_price);
  // Kept only if the flat reading gives exactly what the table just did for these tokens.
  if (flat && Math.abs(linearCost(flat, input) - price.total_price) <= 1e-12 * Math.max(1, price.total_price)) keepPrice(id, flat, at);
  return roundUsd(price.total_price);
}

function noPrice(input: TableCostInput): null {
  warnOnce(input.provider, input.model);
  return null;
}

/**
 * `calcPrice` finds the model among the provider's by match rules on every call (~270 µs warm,
 * bench/usage-measure.ts: most of what the usage record cost a request before). Its answer is kept
 * a minute when the price is flat per token for what we pass it (input and output tokens): a
 * number per million input and output tokens, no price per request. Prices of what we never pass
 * (cache reads and writes, audio, web searches) cannot touch our two counts; a test holds the kept
 * reading equal to `calcPrice` for every model of the table. "No price" (a model the table does not
 * know) is kept too. Tiered prices and the like go through `calcPrice` every time. A minute bounds
 * how late a dated or time-of-day price change is seen.
 */
const KEPT_PRICE_TTL_MS = 60_000;
const keptPrices = new Map<string, { price: FlatPrice | null; at: number }>();

interface FlatPrice {
  inputMtok: number;
  outputMtok: number;
}

function flatPriceOf(modelPrice: Record<string, unknown>): FlatPrice | null {
  const inputMtok = modelPrice.input_mtok ?? 0;
  const outputMtok = modelPrice.output_mtok ?? 0;
  if (typeof inputMtok !== 'number' || typeof outputMtok !== 'number' || modelPrice.requests_kcount !== undefined) return null;
  return { inputMtok, outputMtok };
}

function linearCost(price: FlatPrice, input: TableCostInput): number {
  return (input.promptTokens * price.inputMtok + input.completionTokens * price.outputMtok) / 1e6;
}

function keepPrice(id: string, price: FlatPrice | null, at: Date): void {
  // A caller can send any model name: bound the memory this takes.
  if (keptPrices.size >= 1000) keptPrices.clear();
  keptPrices.set(id, { price, at: at.getTime() });
}

/** For tests: forget the prices kept, so the next lookup asks the table. */
export function resetKeptPrices(): void {
  keptPrices.clear();
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
