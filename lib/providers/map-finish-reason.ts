/**
 * A provider's stop reason in OpenAI terms, through the provider's table of known words.
 * OpenAI has only three words, so an unknown reason still answers `stop` (the message did
 * end), but it is never silent: the first time a container sees a provider's unknown word it
 * logs it, so a new upstream reason is noticed and added to the table.
 */
import type { FinishReason } from '../api/completion-response.ts';
import { log } from '../log.ts';

/** Known stop reasons of one provider → OpenAI's word. */
export type FinishReasonTable = Readonly<Record<string, FinishReason>>;

/** Unknown words already logged, per provider; bounded, so a misbehaving upstream cannot grow it. */
const reported = new Set<string>();
const MAXIMUM_REPORTED = 256;

/**
 * @example mapFinishReason('google', { MAX_TOKENS: 'length' }, 'MAX_TOKENS') // 'length'
 * @returns null while the model has not stopped (no reason yet).
 */
export function mapFinishReason(provider: string, table: FinishReasonTable, reason: string | null | undefined): FinishReason | null {
  if (reason === null || reason === undefined || reason === '') return null;
  const known = Object.hasOwn(table, reason) ? table[reason] : undefined;
  if (known !== undefined) return known;
  reportUnknown(provider, reason);
  return 'stop';
}

function reportUnknown(provider: string, reason: string): void {
  const key = `${provider}\u0000${reason}`;
  if (reported.has(key) || reported.size >= MAXIMUM_REPORTED) return;
  reported.add(key);
  log.warn('unknown finish reason', { provider, finishReason: reason.slice(0, 100), mappedTo: 'stop' });
}
