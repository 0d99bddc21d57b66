/**
 * `$regex` in conditional routing runs on RE2 (the `re2js` port): callers write the pattern and
 * also control the text it runs on (`params.prompt`), so a backtracking engine would let one
 * request stall the process (`^(a|a)*$` doubles its time per character). RE2 matches in time
 * linear in the input, and refuses what it cannot do in linear time (backreferences, lookaround):
 * such a pattern is a 400 when the config is parsed.
 *
 * re2js is ~150 KB minified (45 KB gzipped), more than the rest of the handler's entry, and
 * took 65-110 ms to load on a busy 2-core machine; few configs use `$regex`. So it is imported
 * on first need: `loadLinearRegex()` runs (async) before a config that mentions `$regex` is
 * parsed, after which compiling and matching are synchronous.
 * @see https://github.com/google/re2/wiki/Syntax
 */
type Re2Module = typeof import('re2js');
interface CompiledPattern {
  test(input: string): boolean;
}

let loading: Promise<Re2Module> | undefined;
let re2: Re2Module | undefined;

/** Loads the engine once; later calls return at once. */
export function loadLinearRegex(): Promise<void> {
  loading ??= import('re2js').then((module) => (re2 = module));
  return loading.then(() => undefined);
}

/** Compiled patterns by source: the same config's patterns run on every request. */
const MAX_CACHED_PATTERNS = 256;
const compiled = new Map<string, CompiledPattern>();

/**
 * @returns the compiled pattern, or a string saying why the engine refuses it.
 * @throws Error when the engine has not been loaded (a programming error: call `loadLinearRegex` first).
 */
export function compileLinearRegex(pattern: string): CompiledPattern | string {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  if (!re2) throw new Error('compileLinearRegex before loadLinearRegex');
  let result: CompiledPattern;
  try {
    // As written, not through re2js' `translateRegExp`: that turns what RE2 lacks into something
    // else (`\k<name>` into a literal `k<name>`), a pattern silently meaning another thing.
    // RE2 syntax covers the usual JS patterns; `\uXXXX` is spelled `\x{XXXX}` there.
    result = re2.RE2JS.compile(pattern);
  } catch (error) {
    return describeRefusal(error);
  }
  compiled.set(pattern, result);
  if (compiled.size > MAX_CACHED_PATTERNS) compiled.delete(compiled.keys().next().value!);
  return result;
}

/** Whether `input` contains a match of an already validated `pattern` (unanchored, like `RegExp#test`). */
export function testLinearRegex(pattern: string, input: string): boolean {
  const regex = compileLinearRegex(pattern);
  return typeof regex !== 'string' && regex.test(input);
}

function describeRefusal(error: unknown): string {
  const detail = error instanceof Error ? error.message.slice(0, 120) : 'invalid';
  return `not a regular expression the linear-time engine (RE2) accepts: ${detail} (RE2 syntax: no backreferences or lookaround; \\x{41} for \\u0041)`;
}
