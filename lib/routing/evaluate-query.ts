/**
 * Conditional routing's queries, Portkey's MongoDB-like subset: a query is an object whose keys
 * are either a dotted path into the request context (`metadata.plan`, `params.max_tokens`) or a
 * logical operator (`$and`, `$or` over sub-queries); every key must hold (implicit AND).
 * A path's condition is a plain value (equality) or an object of operators.
 *
 * @example evaluateQuery({ 'metadata.plan': { $in: ['pro', 'team'] } }, { metadata: { plan: 'pro' }, params: {} }) // true
 * `$regex` runs on RE2 (linear-regex.ts), which must be loaded (`loadLinearRegex`) before a
 * query that uses it is validated.
 * @see https://portkey.ai/docs/product/ai-gateway/conditional-routing
 */
import { compileLinearRegex, testLinearRegex } from './linear-regex.ts';

export interface QueryContext {
  /** From the `x-portkey-metadata` header (JSON object). */
  metadata: Record<string, unknown>;
  /** The request body's parameters. */
  params: Record<string, unknown>;
}

const COMPARISONS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$regex'] as const;
type Comparison = (typeof COMPARISONS)[number];
const COMPARISON_SET: ReadonlySet<string> = new Set(COMPARISONS);

export function evaluateQuery(query: Record<string, unknown>, context: QueryContext): boolean {
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and') {
      if (!(condition as Array<Record<string, unknown>>).every((each) => evaluateQuery(each, context))) return false;
    } else if (key === '$or') {
      if (!(condition as Array<Record<string, unknown>>).some((each) => evaluateQuery(each, context))) return false;
    } else if (!matches(readPath(context, key), condition)) {
      return false;
    }
  }
  return true;
}

function matches(actual: unknown, condition: unknown): boolean {
  if (!isOperatorObject(condition)) return isEqual(actual, condition);
  return Object.entries(condition).every(([operator, expected]) => compare(operator as Comparison, actual, expected));
}

function compare(operator: Comparison, actual: unknown, expected: unknown): boolean {
  switch (operator) {
    case '$eq':
      return isEqual(actual, expected);
    case '$ne':
      return !isEqual(actual, expected);
    case '$gt':
      return bothNumbers(actual, expected, (a, b) => a > b);
    case '$gte':
      return bothNumbers(actual, expected, (a, b) => a >= b);
    case '$lt':
      return bothNumbers(actual, expected, (a, b) => a < b);
    case '$lte':
      return bothNumbers(actual, expected, (a, b) => a <= b);
    case '$in':
      return (expected as unknown[]).some((each) => isEqual(actual, each));
    case '$nin':
      return !(expected as unknown[]).some((each) => isEqual(actual, each));
    case '$regex':
      return typeof actual === 'string' && testLinearRegex(expected as string, actual);
  }
}

/**
 * Problems with a query, as `path: why` lines (checked when the config is parsed, so routing
 * never meets an unknown operator or an invalid regex at request time).
 */
export function validateQuery(query: unknown, path: string): string[] {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) return [`${path}: expected an object`];
  const problems: string[] = [];
  for (const [key, condition] of Object.entries(query)) {
    const at = `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) problems.push(`${at}: expected a non-empty array of queries`);
      else condition.forEach((each, index) => problems.push(...validateQuery(each, `${at}[${index}]`)));
      continue;
    }
    if (key.startsWith('$')) {
      problems.push(`${at}: unknown operator (use $and or $or here, or a path such as metadata.plan)`);
      continue;
    }
    const root = key.split('.', 1)[0];
    if (root !== 'metadata' && root !== 'params') problems.push(`${at}: a path must start with metadata. or params.`);
    if (isOperatorObject(condition)) {
      for (const [operator, expected] of Object.entries(condition)) problems.push(...validateOperator(operator, expected, `${at}.${operator}`));
    }
  }
  return problems;
}

function validateOperator(operator: string, expected: unknown, at: string): string[] {
  if (!COMPARISON_SET.has(operator)) return [`${at}: unknown operator; expected one of ${COMPARISONS.join(' ')}`];
  if ((operator === '$in' || operator === '$nin') && !Array.isArray(expected)) return [`${at}: expected an array`];
  if (['$gt', '$gte', '$lt', '$lte'].includes(operator) && typeof expected !== 'number') return [`${at}: expected a number`];
  if (operator === '$regex') {
    if (typeof expected !== 'string') return [`${at}: expected a regular expression string`];
    if (expected.length > MAX_REGEX_LENGTH) return [`${at}: longer than ${MAX_REGEX_LENGTH} characters`];
    try {
      // Only parsed, never run: V8 compiles a pattern in time linear in its length.
      new RegExp(expected);
    } catch {
      return [`${at}: not a valid regular expression`];
    }
    const compiled = compileLinearRegex(expected);
    if (typeof compiled === 'string') return [`${at}: ${compiled}`];
  }
  return [];
}

const MAX_REGEX_LENGTH = 256;

/** An object whose keys are all operators; anything else is compared for equality. */
function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

function readPath(context: QueryContext, path: string): unknown {
  let value: unknown = context;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Metadata travels as strings in practice (`{"tier": "2"}`), so a number and its decimal
 * string compare equal, unlike Portkey's strict `===` that silently never matches.
 */
function isEqual(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof actual === 'number' && typeof expected === 'string') return expected.trim() !== '' && Number(expected) === actual;
  if (typeof actual === 'string' && typeof expected === 'number') return actual.trim() !== '' && Number(actual) === expected;
  return false;
}

function bothNumbers(actual: unknown, expected: unknown, test: (a: number, b: number) => boolean): boolean {
  const a = typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : actual;
  return typeof a === 'number' && Number.isFinite(a) && typeof expected === 'number' && test(a, expected);
}
