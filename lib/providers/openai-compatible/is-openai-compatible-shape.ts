/**
 * Plain-code twins of the lenient schemas in openai-compatible-schemas.ts, for the hot path: a
 * well-formed answer (nearly every one) passes here without a zod parse, which cost ~2% of the
 * gateway's CPU per request, and once per stream event. They accept exactly what the schemas
 * accept (is-openai-compatible-shape.test.ts); whatever fails is handed to the schema, whose
 * error becomes the 502's cause.
 */
import type { OpenAICompatibleResponse } from './openai-compatible-schemas.ts';

type Chunk = Omit<OpenAICompatibleResponse, 'choices'> & { choices?: OpenAICompatibleResponse['choices'] | null };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNullish = (value: unknown) => value === undefined || value === null;
const isNullishString = (value: unknown) => isNullish(value) || typeof value === 'string';
/** `z.number()` takes finite numbers only. */
const isNullishNumber = (value: unknown) => isNullish(value) || (typeof value === 'number' && Number.isFinite(value));

function isUsage(value: unknown): boolean {
  if (isNullish(value)) return true;
  return isObject(value) && isNullishNumber(value.prompt_tokens) && isNullishNumber(value.completion_tokens) && isNullishNumber(value.total_tokens);
}

function isChoices(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const choice of value) {
    if (!isObject(choice) || !isNullishNumber(choice.index) || !isNullishString(choice.text) || !isNullishString(choice.finish_reason)) return false;
  }
  return true;
}

function hasCommonFields(value: Record<string, unknown>): boolean {
  return isNullishString(value.id) && isNullishString(value.model) && isNullishString(value.system_fingerprint) && isUsage(value.usage);
}

/** True when `value` passes `openAICompatibleSchemas().response`. */
export function isOpenAICompatibleResponse(value: unknown): value is OpenAICompatibleResponse {
  return isObject(value) && hasCommonFields(value) && isChoices(value.choices);
}

/** True when `value` passes `openAICompatibleSchemas().chunk`. */
export function isOpenAICompatibleChunk(value: unknown): value is Chunk {
  return isObject(value) && hasCommonFields(value) && (isNullish(value.choices) || isChoices(value.choices));
}
