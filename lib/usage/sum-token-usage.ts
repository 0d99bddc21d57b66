/**
 * One request can make several upstream calls (fan-out of `n`, `best_of` or a prompt list): its
 * usage is the sum of theirs. A part the gateway counted itself taints the sum as estimated.
 */
export interface TokenUsagePart {
  promptTokens: number;
  completionTokens: number;
  /** True when the gateway counted these tokens (the provider reported none, or the caller left). */
  estimated: boolean;
}

export interface TokenUsageSum {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  estimated: boolean;
}

/**
 * @example
 * sumTokenUsage([{ promptTokens: 5, completionTokens: 7, estimated: false },
 *                { promptTokens: 5, completionTokens: 3, estimated: true }]);
 * // { promptTokens: 10, completionTokens: 10, totalTokens: 20, estimated: true }
 */
export function sumTokenUsage(parts: readonly TokenUsagePart[]): TokenUsageSum {
  let promptTokens = 0;
  let completionTokens = 0;
  let estimated = false;
  for (const part of parts) {
    promptTokens += countOrZero(part.promptTokens);
    completionTokens += countOrZero(part.completionTokens);
    estimated ||= part.estimated;
  }
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated };
}

/** A provider's usage block is data from the wire: a negative or fractional count is not a count. */
function countOrZero(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
