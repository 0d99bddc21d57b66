/**
 * Decides how one OpenAI request becomes upstream calls for a provider that lacks a feature:
 * a prompt array becomes one call per prompt where the provider takes only one prompt, `n`
 * becomes n calls where the provider has it emulated, `echo` is left to the gateway where the
 * provider has it emulated. The parameters are mapped here, once per attempt, for every call
 * of the plan (they differ only in what mapping never reads: prompt, n, echo). Pure: no I/O,
 * so every rule is testable on its own.
 */
import { promptList, type CompletionRequest } from '../api/completion-request.ts';
import { InvalidRequestError, UnsupportedParameterError } from '../api/errors.ts';
import { mapParameters, type MappingWarning, type ParameterTable } from './map-parameters.ts';
import type { Provider, ProviderCall, SelectedParameters } from './provider.ts';

/** One upstream call of a fan-out, and where its choices go in the merged answer. */
export interface PlannedCall {
  call: ProviderCall;
  /** Index of the first prompt this call carries in the caller's prompt list. */
  promptOffset: number;
  /** Which of the `n` copies this call is (0 when the provider produces all n itself). */
  copy: number;
  /** Choices per prompt this call returns (n when native, 1 when emulated). */
  choicesPerPrompt: number;
}

export interface FanOutPlan {
  /** How many upstream calls the plan makes; each is built only when it is started (`callAt`). */
  count: number;
  /** The call at `position` (0 ≤ position < count), built on demand. */
  callAt(position: number): PlannedCall;
  /** Every call at once, for tests and tools; the engine uses `count` and `callAt`. */
  readonly calls: PlannedCall[];
  /** Choices per prompt in the merged answer (OpenAI's `n`, or 1 when the provider drops it). */
  n: number;
  /** The prompt text to prepend per prompt index when `echo` is emulated; undefined otherwise. */
  echoPrompts: string[] | undefined;
  /** The parameters mapped through the provider's table, the same for every call. */
  mapped: Readonly<Record<string, unknown>>;
  /** What the gateway (best_of > n, echo of token prompts) and the table dropped or clamped. */
  warnings: MappingWarning[];
}

/**
 * @example
 * planFanOut(ollama, call({ prompt: ['a', 'b'], n: 2 })).calls.length // 4
 * @throws UnsupportedParameterError for token-id prompts to a provider that takes only text,
 *   and in strict mode for anything the gateway or the provider's table would drop or clamp.
 */
export function planFanOut(provider: Provider, call: ProviderCall): FanOutPlan {
  const { params } = call;
  const { table, label } = selectParameters(provider, call);
  const prompts = promptList(params.prompt);
  const tokenPrompts = typeof prompts[0] !== 'string';
  if (tokenPrompts && !provider.prompts.tokens) {
    throw new UnsupportedParameterError(
      `${provider.name} accepts only text prompts; token-id prompts cannot be sent to it. Send the prompt as a string (or an array of strings).`,
      'prompt',
    );
  }

  const warnings: MappingWarning[] = [];
  const requestedN = params.n ?? 1;
  const emulateN = provider.emulated.n && requestedN > 1;
  const n = effectiveN(provider, table, requestedN);
  // A provider that takes one prompt gets one per call, even a one-element array (Ollama refuses arrays).
  const splitPrompts = !provider.prompts.arrays && Array.isArray(params.prompt) && typeof params.prompt[0] !== 'number';

  const shared: Partial<CompletionRequest> = {};
  if (emulateN) shared.n = undefined;
  if (params.best_of !== undefined && table.best_of === undefined) {
    // best_of == n is what n does anyway; a larger best_of needs server-side ranking.
    if (params.best_of > requestedN) {
      warnings.push({
        type: 'dropped',
        param: 'best_of',
        details: `best_of ${params.best_of} > n ${requestedN} cannot be emulated for ${provider.name}: it would need the provider to rank completions`,
      });
    }
    shared.best_of = undefined;
  }

  let echoPrompts: string[] | undefined;
  if (params.echo === true && provider.emulated.echo) {
    shared.echo = undefined;
    if (tokenPrompts) {
      warnings.push({ type: 'dropped', param: 'echo', details: `echo of token-id prompts cannot be emulated for ${provider.name}: the gateway has no tokenizer` });
    } else {
      echoPrompts = prompts as string[];
    }
  }

  const mapping = mapParameters(Object.keys(shared).length === 0 ? params : { ...params, ...shared }, table, { provider: label });
  warnings.push(...mapping.warnings);
  const mapped = mapping.body;
  if (call.strict && warnings.length > 0) refuseInStrictMode(warnings);

  const copies = emulateN ? requestedN : 1;
  if (!splitPrompts && copies === 1 && Object.keys(shared).length === 0) {
    return lazyPlan(1, () => ({ call, promptOffset: 0, copy: 0, choicesPerPrompt: n }), { n, echoPrompts, mapped, warnings });
  }
  // Calls are groups × copies, each built when it starts: a plan costs no memory per call
  // (the request's size is bounded before planning, see checkFanOutSize).
  const groups = splitPrompts ? prompts.length : 1;
  return lazyPlan(
    groups * copies,
    (position) => {
      const group = Math.floor(position / copies);
      const copy = position % copies;
      const prompt = splitPrompts ? (prompts[group] as CompletionRequest['prompt']) : params.prompt;
      const subParams = withoutUndefined({ ...params, ...shared, prompt });
      return { call: { ...call, params: subParams }, promptOffset: group, copy, choicesPerPrompt: emulateN ? 1 : n };
    },
    { n, echoPrompts, mapped, warnings },
  );
}

/**
 * Refuses (400) a request asking for more completions than `maxFanOut` (prompts × max(n, best_of)),
 * before anything is planned or sent. Each completion is an upstream call where the gateway
 * emulates prompt arrays or `n`, and upstream work either way.
 * @example checkFanOutSize(parseCompletionRequest({ model: 'm', prompt: Array(100).fill('a'), n: 128 }), 128) // throws
 */
export function checkFanOutSize(params: CompletionRequest, maxFanOut: number): void {
  const prompts = Array.isArray(params.prompt) && params.prompt.length > 0 && typeof params.prompt[0] !== 'number' ? params.prompt.length : 1;
  const perPrompt = Math.max(params.n ?? 1, params.best_of ?? 1);
  const completions = prompts * perPrompt;
  if (completions <= maxFanOut) return;
  throw new InvalidRequestError(
    `This request asks for ${completions} completions (${prompts} prompts × ${perPrompt}); this gateway allows at most ${maxFanOut} per request. Send fewer prompts or a smaller n / best_of.`,
    { param: prompts > 1 ? 'prompt' : params.n !== undefined && params.n >= perPrompt ? 'n' : 'best_of', code: 'too_many_completions' },
  );
}

function lazyPlan(count: number, build: (position: number) => PlannedCall, rest: Omit<FanOutPlan, 'count' | 'callAt' | 'calls'>): FanOutPlan {
  return new LazyPlan(count, build, rest);
}

/**
 * Calls built when first asked for (a call as it starts), then kept: the merge asks again, and the
 * count is bounded before planning, so the kept calls are too. A class, not an object literal with
 * a getter and a spread: V8 builds that literal in dictionary mode, ~1.5% of the CPU per request.
 */
class LazyPlan implements FanOutPlan {
  readonly count: number;
  readonly n: number;
  readonly echoPrompts: string[] | undefined;
  readonly mapped: Readonly<Record<string, unknown>>;
  readonly warnings: MappingWarning[];
  readonly #build: (position: number) => PlannedCall;
  readonly #built: Array<PlannedCall | undefined> = [];

  constructor(count: number, build: (position: number) => PlannedCall, rest: Omit<FanOutPlan, 'count' | 'callAt' | 'calls'>) {
    this.count = count;
    this.#build = build;
    this.n = rest.n;
    this.echoPrompts = rest.echoPrompts;
    this.mapped = rest.mapped;
    this.warnings = rest.warnings;
  }

  callAt(position: number): PlannedCall {
    return (this.#built[position] ??= this.#build(position));
  }

  get calls(): PlannedCall[] {
    return Array.from({ length: this.count }, (_, position) => this.callAt(position));
  }
}

/** Whether the plan is exactly the caller's request: one call, indices and text untouched. */
export function isPassThrough(plan: FanOutPlan, call: ProviderCall): boolean {
  return plan.count === 1 && plan.echoPrompts === undefined && plan.callAt(0).call.params === call.params;
}

/** OpenAI's choice index of choice `index` returned by a planned call. */
export function mergedIndex(planned: PlannedCall, n: number, index: number): number {
  const localPrompt = Math.floor(index / planned.choicesPerPrompt);
  const localChoice = index % planned.choicesPerPrompt;
  return (planned.promptOffset + localPrompt) * n + planned.copy * planned.choicesPerPrompt + localChoice;
}

/** The table that applies to a call, and the name its warnings use. */
export function selectParameters(provider: Provider, call: ProviderCall): SelectedParameters {
  return provider.selectParameters?.(call) ?? { table: provider.parameters ?? {}, label: provider.name };
}

/**
 * Choices per prompt the merged answer will really have: a table that omits `n` drops it (1), one
 * that clamps it (Gemini's candidateCount 1..8) clamps it; mapParameters reports either.
 */
function effectiveN(provider: Provider, table: ParameterTable, requested: number): number {
  if (provider.emulated.n) return requested;
  const rule = table.n;
  if (rule === undefined) return 1;
  if (rule.range) return Math.min(rule.range[1], Math.max(rule.range[0], requested));
  return requested;
}

/** One 400 naming every parameter the gateway or the provider's table would drop or clamp. */
function refuseInStrictMode(warnings: MappingWarning[]): never {
  const names = [...new Set(warnings.map((warning) => warning.param))];
  throw new UnsupportedParameterError(`Strict parameters: ${warnings.map((warning) => warning.details).join('; ')}.`, names.join(','));
}

function withoutUndefined(params: CompletionRequest): CompletionRequest {
  for (const key of Object.keys(params) as Array<keyof CompletionRequest>) if (params[key] === undefined) delete params[key];
  return params;
}
