/**
 * The limits document (DESIGN.md "Limits"): the secret `${GATEWAY_SECRETS_PREFIX}limits` on Lambda,
 * the keys file's `limits` entry locally. Validated strictly: a typo in a field name would otherwise
 * turn a limit into no limit, so unknown fields are refused and a malformed document is an error
 * naming its source, never "no limits".
 */
import { formatIssuePath, z } from '../api/zod.ts';
import { lazy } from '../api/lazy.ts';
import { LimitsDocumentError } from './limit-errors.ts';
import { MEASURE_NAMES, type MeasureName } from './measures.ts';

/** Rule names become part of counter keys (`limits#<name>#…`), so `#` and spaces are out. */
const RULE_NAME = /^[A-Za-z0-9._:@/-]{1,100}$/;

export type LimitRule = {
  name: string;
  principals?: string[];
  virtual_keys?: string[];
  per?: 'caller';
} & Partial<Record<MeasureName, number>>;

export interface LimitsDocument {
  rules: LimitRule[];
}

const schemas = lazy(() => {
  const patterns = z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)));
  const amount = z.optional(z.number().check(z.nonnegative()));
  const count = z.optional(z.number().check(z.int(), z.nonnegative()));
  const measures = Object.fromEntries(MEASURE_NAMES.map((name) => [name, name.startsWith('cost_') ? amount : count]));
  const rule = z
    .strictObject({
      name: z.string().check(z.regex(RULE_NAME, 'a rule name is 1-100 letters, digits or ._:@/-')),
      principals: patterns,
      virtual_keys: patterns,
      per: z.optional(z.literal('caller')),
      ...measures,
    })
    .check(z.refine((value) => MEASURE_NAMES.some((name) => name in value), { message: `a rule sets at least one of ${MEASURE_NAMES.join(', ')}` }));
  return z.strictObject({ rules: z.array(rule) });
});

/**
 * Validates a parsed JSON value as the limits document. `source` names where it came from (the
 * secret's name, or the keys file's entry) in the error.
 * @throws LimitsDocumentError (500) for anything but a valid document.
 * @example parseLimitsDocument({ rules: [{ name: 'all', requests_per_minute: 60 }] }, 'llm-gateway/limits')
 */
export function parseLimitsDocument(json: unknown, source: string): LimitsDocument {
  const parsed = schemas().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${formatIssuePath(issue.path)}: ` : '';
    throw new LimitsDocumentError(source, `${where}${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  const document = parsed.data as LimitsDocument;
  const seen = new Set<string>();
  for (const [index, rule] of document.rules.entries()) {
    // Two rules of one name would share counters; say so rather than merge them.
    if (seen.has(rule.name)) throw new LimitsDocumentError(source, `rules[${index}].name: "${rule.name}" is used by an earlier rule`);
    seen.add(rule.name);
  }
  return document;
}
