/**
 * A depth and size check of a parsed JSON value that does not itself recurse. Everything the
 * gateway does with a caller's JSON afterwards (key normalisation, zod, `JSON.stringify`,
 * freezing) recurses, and V8's `JSON.parse` happily builds a value nested 200,000 levels deep
 * from a 400 KB header: that value must be refused as a 400 before any of those run, not
 * overflow the stack into a 500.
 */
export interface JsonBounds {
  /** Levels of objects and arrays; `{}` is 1, `{"a":[1]}` is 2. */
  maxDepth: number;
  /** Objects, arrays and their members, counted together. */
  maxNodes: number;
}

/**
 * @returns why `value` is out of bounds, or undefined when it is within them.
 * @example checkJsonBounds({ a: [[1]] }, { maxDepth: 2, maxNodes: 100 }) // 'nested deeper than 2 levels'
 */
export function checkJsonBounds(value: unknown, bounds: JsonBounds): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > bounds.maxDepth) return `nested deeper than ${bounds.maxDepth} levels`;
    // Counted before the children are listed, so a huge object fails before it is walked.
    const children = Array.isArray(current) ? current.length : countKeys(current, bounds.maxNodes - nodes);
    nodes += 1 + children;
    if (nodes > bounds.maxNodes) return `more than ${bounds.maxNodes} values in all`;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** Own enumerable keys, counting no further than `limit + 1`. */
function countKeys(object: object, limit: number): number {
  let count = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (++count > limit) break;
  }
  return count;
}
