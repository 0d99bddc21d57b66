/**
 * Costs from the price table, checked against the table's own numbers: the expected price is read
 * from the table's data in the test (not written down), so a new table release moves both sides.
 */
import { calcPrice, type ModelInfo, type ModelPrice, waitForUpdate } from '@pydantic/genai-prices';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { setLogSink } from '../log.ts';
import { lookUpTableCost, preloadPriceTable, priceFromTable, resetKeptPrices, resetPriceWarnings } from './look-up-table-cost.ts';
import { PRICE_TABLE_PROVIDERS, toPriceTableKey } from './price-table-ids.ts';

/** The flat per-million prices of one table entry, found by the table's provider and model id. */
async function tablePrices(providerId: string, modelId: string, at = new Date()): Promise<{ input: number; output: number }> {
  const providers = (await waitForUpdate()) ?? [];
  const provider = providers.find((candidate) => candidate.id === providerId);
  const model: ModelInfo | undefined = provider?.models.find((candidate) => candidate.id === modelId);
  if (!model) throw new Error(`the table has no ${providerId}/${modelId}`);
  // Dated prices: the newest entry whose start date has passed (or the undated one).
  const prices: ModelPrice = Array.isArray(model.prices)
    ? [...model.prices].reverse().find((entry) => !entry.constraint || (entry.constraint.type === 'start_date' && new Date(entry.constraint.start_date) <= at))!.prices
    : model.prices;
  const input = prices.input_mtok;
  const output = prices.output_mtok;
  if (typeof input !== 'number' || typeof output !== 'number') throw new Error(`${providerId}/${modelId} has tiered prices; pick a flat one`);
  return { input, output };
}

const PROMPT_TOKENS = 1234;
const COMPLETION_TOKENS = 567;

// Our provider id and model name -> the table entry it must be priced by.
const CASES = [
  { provider: 'openai', model: 'gpt-4o-mini', table: ['openai', 'gpt-4o-mini'] },
  { provider: 'openai', model: 'gpt-3.5-turbo-instruct', table: ['openai', 'gpt-3.5-turbo-instruct'] },
  { provider: 'anthropic', model: 'claude-3-haiku-20240307', table: ['anthropic', 'claude-3-haiku'] },
  { provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', table: ['aws', 'regional.anthropic.claude-3-haiku-20240307-v1:0'] },
  { provider: 'bedrock', model: 'us.anthropic.claude-3-haiku-20240307-v1:0', table: ['aws', 'regional.anthropic.claude-3-haiku-20240307-v1:0'] },
  { provider: 'bedrock', model: 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0', table: ['aws', 'amazon.nova-lite-v1:0'] },
  { provider: 'bedrock', model: 'meta.llama3-1-8b-instruct-v1:0', table: ['aws', 'meta.llama3-1-8b-instruct-v1:0'] },
  { provider: 'mistral-ai', model: 'codestral-latest', table: ['mistral', 'codestral'] },
  { provider: 'cohere', model: 'command-r', table: ['cohere', 'command-r'] },
  { provider: 'together-ai', model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', table: ['together', 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo'] },
  { provider: 'fireworks-ai', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', table: ['fireworks', 'llama-v3p1-8b-instruct'] },
  { provider: 'openrouter', model: 'openai/gpt-4o-mini', table: ['openrouter', 'openai/gpt-4o-mini'] },
  { provider: 'azure-openai', model: 'gpt-35-turbo-instruct', table: ['openai', 'gpt-3.5-turbo-instruct'] },
] as const;

let lines: string[];
let restoreSink: () => void;
const logLevel = process.env.LOG_LEVEL;

beforeEach(() => {
  lines = [];
  restoreSink = setLogSink((line) => lines.push(line));
  process.env.LOG_LEVEL = 'warn';
  resetPriceWarnings();
});

afterEach(() => {
  restoreSink();
  process.env.LOG_LEVEL = logLevel;
  vi.unstubAllGlobals();
});

describe('lookUpTableCost', () => {
  test.each(CASES)('$provider $model costs what the table says for $table', async ({ provider, model, table }) => {
    const prices = await tablePrices(table[0], table[1]);
    const expected = (PROMPT_TOKENS * prices.input + COMPLETION_TOKENS * prices.output) / 1e6;
    const cost = await lookUpTableCost({ provider, model, promptTokens: PROMPT_TOKENS, completionTokens: COMPLETION_TOKENS });
    expect(cost).not.toBeNull();
    expect(cost!).toBeCloseTo(expected, 9);
    expect(cost!).toBeGreaterThan(0);
    expect(lines).toEqual([]);
  });

  test('a global cross-region profile is priced apart from a regional one', async () => {
    const global = await lookUpTableCost({ provider: 'bedrock', model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', promptTokens: 1e6, completionTokens: 0 });
    const regional = await lookUpTableCost({ provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', promptTokens: 1e6, completionTokens: 0 });
    expect(global).not.toBeNull();
    expect(regional).not.toBeNull();
    expect(regional!).toBeGreaterThan(global!);
  });

  test('an unknown price is null, with one warning per provider and model per container', async () => {
    const unknown = { provider: 'openai', model: 'my-fine-tune-that-does-not-exist', promptTokens: 10, completionTokens: 10 };
    expect(await lookUpTableCost(unknown)).toBeNull();
    expect(await lookUpTableCost(unknown)).toBeNull();
    expect(await lookUpTableCost({ ...unknown, model: 'another-unknown-model' })).toBeNull();
    const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings.map((warning) => [warning.level, warning.message, warning.provider, warning.model])).toEqual([
      ['warn', 'price unknown', 'openai', 'my-fine-tune-that-does-not-exist'],
      ['warn', 'price unknown', 'openai', 'another-unknown-model'],
    ]);
  });

  test.each([
    ['ollama', 'llama3.1'],
    ['vllm', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    ['deepinfra', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    ['bedrock', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3'],
    ['bedrock', 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3'],
    ['not-a-provider', 'gpt-4o-mini'],
  ])('%s %s has no table price (only a pricing can give one)', async (provider, model) => {
    expect(await lookUpTableCost({ provider, model, promptTokens: 100, completionTokens: 100 })).toBeNull();
    expect(lines).toHaveLength(1);
  });

  test('preloading is harmless and leaves lookups as they were', async () => {
    const before = await lookUpTableCost({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 10, completionTokens: 10 });
    preloadPriceTable();
    preloadPriceTable();
    expect(await lookUpTableCost({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 10, completionTokens: 10 })).toBe(before);
  });

  test('never fetches prices: the packaged table is the only one used', async () => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error('no network in this test')));
    vi.stubGlobal('fetch', fetchSpy);
    for (const { provider, model } of CASES) await lookUpTableCost({ provider, model, promptTokens: 1, completionTokens: 1 });
    await lookUpTableCost({ provider: 'openai', model: 'unknown-model-x', promptTokens: 1, completionTokens: 1 });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  test.each(CASES)('$provider $model costs the same again from the minute-long memo as from calcPrice', async ({ provider, model }) => {
    resetKeptPrices();
    await lookUpTableCost({ provider, model, promptTokens: 1, completionTokens: 1 });
    const key = toPriceTableKey(provider, model)!;
    for (const [promptTokens, completionTokens] of [[PROMPT_TOKENS, COMPLETION_TOKENS], [0, 99_999], [250_000, 3]] as const) {
      const direct = calcPrice({ input_tokens: promptTokens, output_tokens: completionTokens }, key.model, { providerId: key.provider })!.total_price;
      expect(await lookUpTableCost({ provider, model, promptTokens, completionTokens })).toBeCloseTo(direct, 10);
    }
  });

  test('a tiered price is never taken from the memo: past the tier, the higher price applies', async () => {
    resetKeptPrices();
    const cost = (promptTokens: number) => lookUpTableCost({ provider: 'anthropic', model: 'claude-sonnet-4-5', promptTokens, completionTokens: 0 });
    const small = await cost(100_000);
    const large = await cost(300_000);
    const direct = calcPrice({ input_tokens: 300_000, output_tokens: 0 }, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price;
    expect(large).toBeCloseTo(direct, 10);
    // Linear from the small request would be 3x; the tier makes it more.
    expect(large!).toBeGreaterThan(3 * small! + 1e-9);
  });

  test('prices by the date the tokens were used', async () => {
    // Mistral raised Ministral 8B's price on a date the table records.
    const providers = (await waitForUpdate()) ?? [];
    const model = providers.find((provider) => provider.id === 'mistral')!.models.find((candidate) => candidate.id === 'ministral-8b-latest')!;
    const change = (model.prices as Array<{ constraint?: { type: string; start_date?: string } }>).find((entry) => entry.constraint?.type === 'start_date')!.constraint!.start_date!;
    const before = new Date(Date.parse(change) - 86_400_000);
    const after = new Date(Date.parse(change) + 86_400_000);
    const costAt = (at: Date) => lookUpTableCost({ provider: 'mistral-ai', model: 'ministral-8b-latest', promptTokens: PROMPT_TOKENS, completionTokens: COMPLETION_TOKENS, at });
    for (const at of [before, after]) {
      const prices = await tablePrices('mistral', 'ministral-8b-latest', at);
      expect(await costAt(at)).toBeCloseTo((PROMPT_TOKENS * prices.input + COMPLETION_TOKENS * prices.output) / 1e6, 9);
    }
    expect(await costAt(before)).not.toBe(await costAt(after));
  });

  test('a price kept, or a model the table does not know, is answered at once (no promise), once the table was asked', async () => {
    resetKeptPrices();
    const known = { provider: 'openai', model: 'gpt-4o-mini', promptTokens: 1200, completionTokens: 340 };
    const first = priceFromTable(known);
    expect(first).toBeInstanceOf(Promise);
    const asked = await first;
    const again = priceFromTable(known);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toBe(asked);
    expect(again).toBe(await lookUpTableCost(known));

    const unknown = { provider: 'openai', model: 'a-fine-tune-the-table-cannot-know', promptTokens: 1, completionTokens: 1 };
    expect(await priceFromTable(unknown)).toBeNull();
    expect(priceFromTable(unknown)).toBeNull();
    // Still one warning for it, however often it is priced.
    expect(lines.filter((line) => line.includes('a-fine-tune-the-table-cannot-know'))).toHaveLength(1);
    // A provider the table has no prices for never waits for the table.
    expect(priceFromTable({ provider: 'ollama', model: 'llama3.1', promptTokens: 1, completionTokens: 1 })).toBeNull();
  });

  test('what is kept expires: an hour later the table is asked again', async () => {
    resetKeptPrices();
    const at = new Date('2026-11-27T10:00:00Z');
    const input = { provider: 'openai', model: 'gpt-4o-mini', promptTokens: 10, completionTokens: 10 };
    await priceFromTable({ ...input, at });
    expect(priceFromTable({ ...input, at: new Date(at.getTime() + 30_000) })).not.toBeInstanceOf(Promise);
    expect(priceFromTable({ ...input, at: new Date(at.getTime() + 3_600_000) })).toBeInstanceOf(Promise);
    expect(priceFromTable({ ...input, at: new Date(at.getTime() - 1) })).toBeInstanceOf(Promise);
  });

  test('for every model of the table, a price answered from what was kept is what calcPrice says', async () => {
    const providers = (await waitForUpdate()) ?? [];
    const ours = new Map<string, string>();
    for (const [provider, table] of Object.entries(PRICE_TABLE_PROVIDERS)) if (table !== null && !ours.has(table)) ours.set(table, provider);
    const counts = [[1234, 567], [0, 99_999], [250_000, 3], [0, 0], [1, 1]] as const;
    let kept = 0;
    let models = 0;
    for (const tableProvider of providers.filter((candidate) => ours.has(candidate.id))) {
      for (const model of tableProvider.models) {
        const provider = ours.get(tableProvider.id)!;
        const key = toPriceTableKey(provider, model.id);
        if (!key || key.model !== model.id) continue;
        models++;
        resetKeptPrices();
        await lookUpTableCost({ provider, model: model.id, promptTokens: 1000, completionTokens: 1000 });
        if (!(priceFromTable({ provider, model: model.id, promptTokens: 1, completionTokens: 1 }) instanceof Promise)) kept++;
        for (const [promptTokens, completionTokens] of counts) {
          const direct = calcPrice({ input_tokens: promptTokens, output_tokens: completionTokens }, model.id, { providerId: tableProvider.id })?.total_price ?? null;
          const cost = await lookUpTableCost({ provider, model: model.id, promptTokens, completionTokens });
          if (direct === null) expect(cost, `${tableProvider.id}/${model.id}`).toBeNull();
          else expect(Math.abs(cost! - direct), `${tableProvider.id}/${model.id} ${promptTokens}+${completionTokens}: ${cost} vs ${direct}`).toBeLessThanOrEqual(1e-9 * Math.max(1, direct));
        }
      }
    }
    // The memo must serve most models, or it does not do its job.
    expect(models).toBeGreaterThan(300);
    expect(kept / models).toBeGreaterThan(0.8);
  });
});
