/**
 * A rule's item holds one attribute per measure and window (lib/limits/applicable-counters.ts), so
 * every new window adds one. Each write removes those of windows that ended before the previous
 * one: the previous window is kept because another instance's clock may still be in it (a few ms
 * of skew at a boundary must not reset a counter under it), and a window later than ours is
 * another instance's clock running ahead, never past.
 */
import { parseCounterAttribute } from './applicable-counters.ts';
import { windowAt } from './limit-windows.ts';
import { MEASURES } from './measures.ts';

/**
 * @example pastCounterAttributes(['requests_per_minute#2026-11-27T09:58Z', 'requests_per_minute#2026-11-27T09:59Z'], Date.parse('2026-11-27T10:00:30Z'))
 * // ['requests_per_minute#2026-11-27T09:58Z']
 */
export function pastCounterAttributes(attributes: Iterable<string>, nowMs: number): string[] {
  const past: string[] = [];
  const oldestKept = new Map<string, string>();
  for (const attribute of attributes) {
    const parsed = parseCounterAttribute(attribute);
    if (!parsed) continue;
    const kind = MEASURES[parsed.measure].window;
    let kept = oldestKept.get(kind);
    if (kept === undefined) oldestKept.set(kind, (kept = windowAt(kind, windowAt(kind, nowMs).startMs - 1).label));
    // Labels of one kind sort as their windows do (`2026-11-27T09:59Z`, `2026-11-27`, `2026-11`).
    if (parsed.label < kept) past.push(attribute);
  }
  return past;
}
