/**
 * What a request reserves before it is sent: its prompt tokens plus `max_tokens` for every choice
 * it can produce (`best_of` choices are generated even when `n` are returned), and their price.
 * Counting the prompt's tokens and pricing them belong to the usage record; this only adds up.
 */
import type { LimitUsage } from './create-limiter.ts';

export interface ReservationInput {
  /** Tokens of all prompts together (one request may carry several). */
  promptTokens: number;
  /** Prompts in the request: every prompt gets its own choices. */
  promptCount?: number;
  /** `max_tokens` as the request sets it (OpenAI's default is 16). */
  maxTokens?: number | null;
  n?: number | null;
  bestOf?: number | null;
  /** The price of a prompt and completion token count, null when unknown. */
  price?: (promptTokens: number, completionTokens: number) => number | null;
}

/** @example estimateReservation({ promptTokens: 10, maxTokens: 100, n: 2 }) // { tokens: 210, costUsd: null } */
export function estimateReservation(input: ReservationInput): LimitUsage {
  const choices = Math.max(input.n ?? 1, input.bestOf ?? 1) * Math.max(1, input.promptCount ?? 1);
  const completionTokens = (input.maxTokens ?? 16) * choices;
  return {
    tokens: input.promptTokens + completionTokens,
    costUsd: input.price ? input.price(input.promptTokens, completionTokens) : null,
  };
}
