/**
 * A hand-written check of the common, valid completion request, run before zod: the same rules as
 * `completionRequestSchema` for the parameters callers usually send, at a fraction of the cost
 * (zod's parse was ~8% of the gateway's CPU per request in the bench profile). Anything it does
 * not recognise or that breaks a rule returns `undefined`, and zod decides, so every error
 * message still comes from the one schema. The fast path and zod agree on every input the
 * tests try (parse-common-request.test.ts), output key order included.
 */
import type { CompletionRequest } from './completion-request.ts';

/** The schema's keys in its order: zod builds its output in this order, and so does this. */
const SHAPE_KEYS = [
  'model', 'prompt', 'best_of', 'echo', 'frequency_penalty', 'logit_bias', 'logprobs', 'max_tokens', 'n',
  'presence_penalty', 'seed', 'stop', 'stream', 'stream_options', 'suffix', 'temperature', 'top_p', 'user',
] as const;

/** zod's `z.number()` takes finite numbers only; `z.int()` safe integers. */
const isNumberBetween = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
const isIntegerBetween = (value: unknown, min: number, max: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
const isStringArray = (value: unknown, min: number, max: number): value is string[] =>
  Array.isArray(value) && value.length >= min && value.length <= max && value.every((each) => typeof each === 'string');

const isTokenId = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
const isTokenArray = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every(isTokenId);

/**
 * Every prompt form of the schema. Token prompts too: zod's union walks a million token ids in
 * ~5 s (measured: 1,000,000 ids 4,967 ms, 300,000 ids 1,202 ms), a stall a 6 MB body can cause;
 * this loop takes milliseconds.
 */
export function isPrompt(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (!Array.isArray(value) || value.length === 0) return false;
  if (typeof value[0] === 'string') return isStringArray(value, 1, Infinity);
  if (Array.isArray(value[0])) return value.every(isTokenArray);
  return value.every(isTokenId);
}

/** Per key, whether a value passes; `logit_bias` is left to zod. */
const rules: Record<string, (value: unknown) => boolean> = {
  model: (value) => typeof value === 'string' && value.length > 0,
  prompt: (value) => isPrompt(value),
  best_of: (value) => isIntegerBetween(value, 1, 20),
  echo: (value) => typeof value === 'boolean',
  frequency_penalty: (value) => isNumberBetween(value, -2, 2),
  logprobs: (value) => isIntegerBetween(value, 0, 5),
  max_tokens: (value) => isIntegerBetween(value, 0, Number.MAX_SAFE_INTEGER),
  n: (value) => isIntegerBetween(value, 1, 128),
  presence_penalty: (value) => isNumberBetween(value, -2, 2),
  seed: (value) => isIntegerBetween(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  stop: (value) => typeof value === 'string' || isStringArray(value, 1, 4),
  stream: (value) => typeof value === 'boolean',
  stream_options: (value) => isStreamOptions(value),
  suffix: (value) => typeof value === 'string',
  temperature: (value) => isNumberBetween(value, 0, 2),
  top_p: (value) => isNumberBetween(value, 0, 1),
  user: (value) => typeof value === 'string',
};

function isStreamOptions(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key of Object.keys(value)) {
    if (key !== 'include_usage' || typeof (value as { include_usage: unknown }).include_usage !== 'boolean') return false;
  }
  return true;
}

/**
 * The validated request when `input` (nulls already dropped) is a common, valid one;
 * `undefined` when zod must look at it.
 */
export function parseCommonRequest(input: Record<string, unknown>): CompletionRequest | undefined {
  if (Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  for (const key of Object.keys(input)) {
    const rule = rules[key];
    if (rule === undefined || !Object.hasOwn(rules, key) || !rule(input[key])) return undefined;
  }
  if (!('model' in input) || !('prompt' in input)) return undefined;
  // The schema's refinements.
  const { best_of: bestOf, n, stream, stream_options: streamOptions } = input as { best_of?: number; n?: number; stream?: boolean; stream_options?: unknown };
  if (bestOf !== undefined && bestOf < (n ?? 1)) return undefined;
  if (stream && bestOf !== undefined && bestOf > 1) return undefined;
  if (streamOptions !== undefined && stream !== true) return undefined;

  // zod returns copies of arrays and objects, in the schema's key order, with max_tokens' default.
  const output: Record<string, unknown> = {};
  for (const key of SHAPE_KEYS) {
    const value = input[key];
    if (value === undefined) {
      if (key === 'max_tokens') output[key] = 16;
      continue;
    }
    output[key] = Array.isArray(value) ? value.map((each: unknown) => (Array.isArray(each) ? each.slice() : each)) : key === 'stream_options' ? { ...(value as object) } : value;
  }
  return output as CompletionRequest;
}
