/**
 * What `npm run usage` shows: for every rule and caller, the use and the room left in the current
 * windows, read from the counters in the table. A shared rule nobody has used yet shows 0; a
 * per-caller rule shows the callers that have counters.
 */
import type { GatewayTable } from '../store/gateway-table.ts';
import { LIMITS_PK_PREFIX, parseCounterAttribute, SHARED_SCOPE } from './applicable-counters.ts';
import type { LimitsDocument } from './limits-document.ts';
import { windowAt } from './limit-windows.ts';
import { MEASURE_NAMES, MEASURES, type MeasureName } from './measures.ts';

export interface LimitUsageRow {
  rule: string;
  /** `*` for a shared rule, else the caller. */
  scope: string;
  measure: MeasureName;
  window: string;
  used: number;
  limit: number;
  remaining: number;
  resetsAt: string;
}

/** Scans the table's counters (`limits#…`): an operator's tool, run with the operator's credentials. */
export async function readLimitsUsage(table: GatewayTable, document: LimitsDocument, nowMs: number): Promise<LimitUsageRow[]> {
  const used = new Map<string, number>();
  const scopes = new Map<string, Set<string>>();
  for await (const item of table.scan(LIMITS_PK_PREFIX)) {
    const rest = item.pk.slice(LIMITS_PK_PREFIX.length);
    const separator = rest.indexOf('#');
    if (separator < 0) continue;
    const rule = rest.slice(0, separator);
    const scope = rest.slice(separator + 1);
    for (const [attribute, value] of Object.entries(item.values)) {
      const counter = parseCounterAttribute(attribute);
      if (counter && typeof value === 'number') used.set(`${rule}\u0000${scope}\u0000${counter.measure}\u0000${counter.label}`, value);
    }
    if (!scopes.has(rule)) scopes.set(rule, new Set());
    scopes.get(rule)!.add(scope);
  }

  const rows: LimitUsageRow[] = [];
  for (const rule of document.rules) {
    const ruleScopes = rule.per === 'caller' ? [...(scopes.get(rule.name) ?? [])].filter((scope) => scope !== SHARED_SCOPE).sort() : [SHARED_SCOPE];
    for (const scope of ruleScopes) {
      for (const measure of MEASURE_NAMES) {
        const limit = rule[measure];
        if (limit === undefined) continue;
        const window = windowAt(MEASURES[measure].window, nowMs);
        const current = used.get(`${rule.name}\u0000${scope}\u0000${measure}\u0000${window.label}`) ?? 0;
        rows.push({
          rule: rule.name,
          scope,
          measure,
          window: window.label,
          used: current,
          limit,
          remaining: Math.max(0, limit - current),
          resetsAt: new Date(window.endMs).toISOString(),
        });
      }
    }
  }
  return rows;
}

/** The rows as an aligned text table. */
export function formatLimitsUsage(rows: readonly LimitUsageRow[]): string {
  if (rows.length === 0) return 'No rules in the limits document.\n';
  const header = ['rule', 'caller', 'measure', 'window', 'used', 'limit', 'remaining', 'resets at'];
  const lines = rows.map((row) => [row.rule, row.scope === SHARED_SCOPE ? '(shared)' : row.scope, row.measure, row.window, show(row.used), show(row.limit), show(row.remaining), row.resetsAt]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines].map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function show(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}
