/**
 * Fixed UTC windows: a minute, a calendar day, a calendar month. Every instance computes the same
 * window from its own clock, so the window's label is part of a counter's key and a new window is
 * simply a new item (the old one expires by TTL).
 */
export type WindowKind = 'minute' | 'day' | 'month';

export interface LimitWindow {
  kind: WindowKind;
  /** Part of the counter's key: `2026-11-27T01:23Z`, `2026-11-27`, `2026-11`. */
  label: string;
  startMs: number;
  /** The first millisecond of the next window: when this one resets. */
  endMs: number;
}

/** @example windowAt('day', Date.parse('2026-11-27T13:05:00Z')).label // '2026-11-27' */
export function windowAt(kind: WindowKind, nowMs: number): LimitWindow {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (kind === 'month') {
    const startMs = Date.UTC(year, month, 1);
    return { kind, label: new Date(startMs).toISOString().slice(0, 7), startMs, endMs: Date.UTC(year, month + 1, 1) };
  }
  if (kind === 'day') {
    const startMs = Date.UTC(year, month, now.getUTCDate());
    return { kind, label: new Date(startMs).toISOString().slice(0, 10), startMs, endMs: startMs + 86_400_000 };
  }
  const startMs = nowMs - (((nowMs % 60_000) + 60_000) % 60_000);
  return { kind, label: `${new Date(startMs).toISOString().slice(0, 16)}Z`, startMs, endMs: startMs + 60_000 };
}
