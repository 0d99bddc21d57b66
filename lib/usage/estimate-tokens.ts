/**
 * Counting tokens ourselves, for when a provider reports none (a stream without a usage chunk) or
 * the caller left mid-stream. The tokenizer is loaded by `import()` on the first estimate, never
 * at cold start: its ranks are ~1 MB of code.
 *
 * Why `gpt-tokenizer` with `cl100k_base` (bench/usage-measure.ts: esbuild-minified bundle, import
 * + first count in a fresh process, warm throughput; quiet run / loaded run over the node floor):
 *   gpt-tokenizer cl100k_base     971 KB   115 ms / +214 ms   1.9 / 0.55 M tokens/s
 *   gpt-tokenizer o200k_base     2698 KB   329 ms / +459 ms   0.7 / 0.77 M tokens/s
 *   js-tiktoken/lite cl100k      1070 KB   573 ms / +1032 ms  ~0.2 / 0.12 M tokens/s
 *   js-tiktoken/lite o200k       2276 KB   832 ms / +2143 ms  ~0.2 / 0.14 M tokens/s
 * js-tiktoken decodes its base64 ranks on construction: 4-5x the load time, a third of the speed.
 * An estimate is an estimate: OpenAI-compatible upstreams are asked for exact usage, so the
 * estimate mostly prices other families' tokenizers anyway, where neither encoding is exact; the
 * two encodings differ by <0.1% on our mixed English/code corpus, and cl100k costs less than half to load.
 */
import type { TokenUsagePart } from './sum-token-usage.ts';

type Tokenizer = typeof import('gpt-tokenizer/encoding/cl100k_base');

let tokenizer: Promise<Tokenizer> | undefined;

function loadTokenizer(): Promise<Tokenizer> {
  tokenizer ??= import('gpt-tokenizer/encoding/cl100k_base').catch((error: unknown) => {
    tokenizer = undefined;
    throw error;
  });
  return tokenizer;
}

/**
 * @example
 * await estimateTokens('Say this is a test'); // 5
 */
export async function estimateTokens(text: string): Promise<number> {
  if (text === '') return 0;
  const { countTokens } = await loadTokenizer();
  // Special-token text in a prompt (`<|endoftext|>`) is counted as the plain text it is.
  return countTokens(text, { disallowedSpecial: new Set() });
}

export interface EstimateInput {
  /** Every prompt sent upstream (after fan-out): text, or the token array the caller sent. */
  promptTexts: ReadonlyArray<string | readonly number[]>;
  /** Every completion text the caller was sent. */
  completionTexts: readonly string[];
}

/**
 * One usage part, marked estimated.
 * @example
 * await estimateUsage({ promptTexts: ['Say this is a test'], completionTexts: ['This is a test.'] });
 * // { promptTokens: 5, completionTokens: 5, estimated: true }
 */
export async function estimateUsage(input: EstimateInput): Promise<TokenUsagePart> {
  let promptTokens = 0;
  let completionTokens = 0;
  for (const prompt of input.promptTexts) promptTokens += typeof prompt === 'string' ? await estimateTokens(prompt) : prompt.length;
  for (const text of input.completionTexts) completionTokens += await estimateTokens(text);
  return { promptTokens, completionTokens, estimated: true };
}

/**
 * The estimate of one answer, the one both the caller's usage and the usage record carry: every
 * prompt sent upstream, and the text sent to the caller counted as one text (chunk boundaries
 * split words: counting chunk by chunk would overcount).
 * @example
 * await estimateAnswerUsage('Say this is a test', ['This is', ' a test.']);
 * // { promptTokens: 5, completionTokens: 5, estimated: true }
 */
export function estimateAnswerUsage(prompt: unknown, sentTexts: readonly string[]): Promise<TokenUsagePart> {
  return estimateUsage({ promptTexts: promptTextsOf(prompt), completionTexts: [sentTexts.join('')] });
}

/** The prompt as the estimator takes it: a text, a token array, or a list of either. */
export function promptTextsOf(prompt: unknown): Array<string | readonly number[]> {
  if (typeof prompt === 'string') return [prompt];
  if (!Array.isArray(prompt) || prompt.length === 0) return [];
  if (typeof prompt[0] === 'number') return [prompt as number[]];
  return prompt as Array<string | number[]>;
}
