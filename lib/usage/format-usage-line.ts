/**
 * The usage record as one short line for a person at a terminal (`npm start`), e.g.
 *   200 openai gpt-4o-mini 12+30 tok $0.000020 840 ms (first byte 120 ms) stream
 * Off a terminal the JSON record is written instead (machines read that).
 */
import type { UsageRecord } from './usage-record.ts';

/**
 * @example
 * formatUsageLine(record); // '502 anthropic claude-3-haiku 0+0 tok $? 1204 ms api_error retries 2'
 */
export function formatUsageLine(record: UsageRecord): string {
  const parts = [
    String(record.status),
    record.provider ?? '-',
    record.model ?? '-',
    `${record.promptTokens}+${record.completionTokens} tok${record.tokensEstimated ? '~' : ''}`,
    formatCost(record.costUsd),
    `${record.latencyMs} ms`,
  ];
  if (record.stream && record.firstByteMs !== null) parts.push(`(first byte ${record.firstByteMs} ms)`);
  if (record.stream) parts.push('stream');
  if (record.errorCode) parts.push(record.errorCode);
  if (record.cache === 'HIT') parts.push('cache hit');
  if (record.retries > 0) parts.push(`retries ${record.retries}`);
  if (record.fallbacks > 0) parts.push(`fallbacks ${record.fallbacks}`);
  return parts.join(' ');
}

/** Six decimals show a single cheap request; `$?` says the price is unknown, unlike `$0`. */
function formatCost(costUsd: number | null): string {
  if (costUsd === null) return '$?';
  return `$${costUsd.toFixed(6)}`;
}
