/**
 * Which counters one request touches: every rule whose principals match the caller and whose
 * virtual keys match the key used, and for each, one counter per measure the rule sets. All the
 * counters of one rule and scope live in one item, an attribute per measure and window, so a
 * request writes once per rule however many measures and windows it sets.
 */
import { isCallerAllowed } from '../keys/check-caller-access.ts';
import type { CallerIdentity } from '../keys/key-store.ts';
import type { TableKey } from '../store/gateway-table.ts';
import type { LimitRule, LimitsDocument } from './limits-document.ts';
import { type LimitWindow, windowAt } from './limit-windows.ts';
import { MEASURE_NAMES, MEASURES, type MeasureName, type Unit } from './measures.ts';

/** Counters live under this `pk` prefix of the shared table. */
export const LIMITS_PK_PREFIX = 'limits#';
/** The scope of a rule whose callers share one counter. */
export const SHARED_SCOPE = '*';

export interface LimitSubject {
  caller: CallerIdentity;
  /** The virtual key of the target being called, if any. */
  virtualKey?: string | undefined;
}

export interface Counter {
  rule: string;
  measure: MeasureName;
  unit: Unit;
  limit: number;
  /** `*` for a shared rule, else the caller (see `callerScope`). */
  scope: string;
  window: LimitWindow;
  /** The item: one per rule and scope. */
  key: TableKey;
  /** The counter's attribute in the item: the measure and the window (see `counterAttribute`). */
  attribute: string;
}

/** The counters `subject` must find room on at `nowMs`, in document order. */
export function applicableCounters(document: LimitsDocument, subject: LimitSubject, nowMs: number): Counter[] {
  const counters: Counter[] = [];
  for (const rule of document.rules) {
    if (!ruleApplies(rule, subject)) continue;
    const scope = rule.per === 'caller' ? callerScope(subject.caller) : SHARED_SCOPE;
    for (const measure of MEASURE_NAMES) {
      const limit = rule[measure];
      if (limit === undefined) continue;
      const window = windowAt(MEASURES[measure].window, nowMs);
      const unit = MEASURES[measure].unit;
      counters.push({ rule: rule.name, measure, unit, limit, scope, window, key: counterKey(rule.name, scope), attribute: counterAttribute(measure, window) });
    }
  }
  return counters;
}

/** `principals` as `allowed_principals` reads them; `virtual_keys` exact or with `*` (omitted: any key, or none). */
export function ruleApplies(rule: LimitRule, subject: LimitSubject): boolean {
  if (!isCallerAllowed(rule.principals, subject.caller)) return false;
  if (rule.virtual_keys === undefined) return true;
  const { virtualKey } = subject;
  return virtualKey !== undefined && rule.virtual_keys.some((pattern) => matchesGlob(pattern, virtualKey));
}

/** The sort key of every rule's item: a rule and scope have one. */
export const COUNTERS_SK = 'counters';

/**
 * `pk` = `limits#<rule>#<scope>`, `sk` = `counters`: one item per rule and scope, holding the value
 * of each measure in each window as an attribute (`counterAttribute`). A new window is a new
 * attribute, so windows roll over without a read; past windows are removed as the item is written.
 * @example counterKey('team-a', '*') // { pk: 'limits#team-a#*', sk: 'counters' }
 */
export function counterKey(rule: string, scope: string): TableKey {
  return { pk: `${LIMITS_PK_PREFIX}${rule}#${scope}`, sk: COUNTERS_SK };
}

/** @example counterAttribute('requests_per_minute', windowAt('minute', now)) // 'requests_per_minute#2026-11-27T10:00Z' */
export function counterAttribute(measure: MeasureName, window: LimitWindow): string {
  return `${measure}#${window.label}`;
}

/** The measure and window label of a counter attribute; undefined for any other attribute. */
export function parseCounterAttribute(attribute: string): { measure: MeasureName; label: string } | undefined {
  const separator = attribute.indexOf('#');
  if (separator < 0) return undefined;
  const measure = attribute.slice(0, separator);
  return measure in MEASURES ? { measure: measure as MeasureName, label: attribute.slice(separator + 1) } : undefined;
}

const ASSUMED_ROLE = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/**
 * Whom a per-caller counter belongs to. A role's sessions are one caller: every session of
 * `role/app` counts against `arn:aws:iam::…:role/app`, or a caller could start a fresh session
 * name for a fresh budget. Without an ARN, the account; without either (local runs), `anonymous`.
 */
export function callerScope(caller: CallerIdentity): string {
  const arn = caller.userArn ?? undefined;
  if (arn) {
    const session = ASSUMED_ROLE.exec(arn);
    return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
  }
  return caller.accountId ?? 'anonymous';
}

function matchesGlob(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(value);
}
