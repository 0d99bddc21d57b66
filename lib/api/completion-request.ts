/**
 * The OpenAI legacy text-completions request, every parameter with its real type and range.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 */
import { InvalidRequestError } from './errors.ts';
import { lazy } from './lazy.ts';
import { isPrompt, parseCommonRequest } from './parse-common-request.ts';
import { listProblems, MAX_LISTED_PROBLEMS, truncate } from './list-problems.ts';
import { formatIssuePath, z } from './zod.ts';

const integer = () => z.number().check(z.int());
const between = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));
const tokenId = () => integer().check(z.gte(0));

/**
 * Built on first use, prompt included: the common request takes the plain-code path
 * (parse-common-request.ts) and never reaches zod, so a container need not pay for building this
 * at cold start (nor for compiling zod's schema code, which the first schema built pays).
 */
export const completionRequestSchema = lazy(() => buildCompletionRequestSchema());

function buildCompletionRequestSchema() {
  const promptSchema = z.union([
    z.string(),
    z.array(z.string()).check(z.minLength(1)),
    z.array(tokenId()).check(z.minLength(1)),
    z.array(z.array(tokenId()).check(z.minLength(1))).check(z.minLength(1)),
  ]);
  return z
    .strictObject({
      model: z.string().check(z.minLength(1)),
      prompt: promptSchema,
      best_of: z.optional(integer().check(z.gte(1), z.lte(20))),
      echo: z.optional(z.boolean()),
      frequency_penalty: z.optional(between(-2, 2)),
      logit_bias: z.optional(z.record(z.string().check(z.regex(/^\d+$/, 'must be a token id')), between(-100, 100))),
      logprobs: z.optional(integer().check(z.gte(0), z.lte(5))),
      max_tokens: z._default(integer().check(z.gte(0)), 16),
      n: z.optional(integer().check(z.gte(1), z.lte(128))),
      presence_penalty: z.optional(between(-2, 2)),
      seed: z.optional(integer()),
      stop: z.optional(z.union([z.string(), z.array(z.string()).check(z.minLength(1), z.maxLength(4))])),
      stream: z.optional(z.boolean()),
      stream_options: z.optional(z.strictObject({ include_usage: z.optional(z.boolean()) })),
      suffix: z.optional(z.string()),
      temperature: z.optional(between(0, 2)),
      top_p: z.optional(between(0, 1)),
      user: z.optional(z.string()),
    })
    .check(
      z.refine((request) => request.best_of === undefined || request.best_of >= (request.n ?? 1), {
        message: 'best_of must be greater than or equal to n',
        path: ['best_of'],
      }),
      z.refine((request) => !(request.stream && request.best_of !== undefined && request.best_of > 1), {
        message: 'best_of cannot be used with stream',
        path: ['best_of'],
      }),
      z.refine((request) => request.stream_options === undefined || request.stream === true, {
        message: 'stream_options is only allowed when stream is true',
        path: ['stream_options'],
      }),
    );
}

export type CompletionRequest = z.infer<ReturnType<typeof buildCompletionRequestSchema>>;
export type Prompt = CompletionRequest['prompt'];

/**
 * Validates a parsed JSON body. OpenAI accepts `null` for every optional parameter and
 * treats it as absent, so nulls are dropped before validation.
 *
 * @example parseCompletionRequest({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hi' }).max_tokens // 16
 * @throws InvalidRequestError whose `param` names the first offending field.
 */
export function parseCompletionRequest(body: unknown): CompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object.', { code: 'invalid_body' });
  }
  const withoutNulls: Record<string, unknown> = {};
  for (const key in body) {
    if (!Object.hasOwn(body, key)) continue;
    const value = (body as Record<string, unknown>)[key];
    if (value !== null) withoutNulls[key] = value;
  }

  const common = parseCommonRequest(withoutNulls);
  if (common !== undefined) return common;
  checkSizes(withoutNulls);
  const result = completionRequestSchema().safeParse(withBoundedPrompt(withoutNulls));
  if (result.success) return { ...result.data, prompt: copyPrompt(withoutNulls.prompt as Prompt) };

  // Only the first few issues are looked at: a 1 MB body of bad values has a million of them.
  const issues = (result.error.issues as unknown as Issue[]).slice(0, MAX_LISTED_PROBLEMS).map(narrowUnionIssue);
  const issue = issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as unknown as { keys: string[] }).keys;
    const param = keys[0] === undefined ? null : truncate(keys[0]);
    throw new InvalidRequestError(`Unrecognized request argument supplied: ${listProblems(keys.map((key) => truncate(key)), MAX_LISTED_KEYS).replaceAll('; ', ', ')}`, { param });
  }
  const param = truncate(formatIssuePath(issue.path)) || null;
  const messages = issues.map((each) => `${truncate(formatIssuePath(each.path)) || 'body'}: ${describeIssue(each)}`);
  const more = result.error.issues.length - issues.length;
  throw new InvalidRequestError(`Invalid request: ${listProblems(messages)}${more > 0 ? `; and ${more} more` : ''}`, { param });
}

/**
 * OpenAI documents no count for `logit_bias` (only values -100..100); a real bias names a few
 * dozen tokens, and a tokenizer has ~100-200k. Checked before zod, which walks every key and
 * once overflowed the stack on 300,000 of them (and stalled the event loop for over a second).
 */
export const MAX_LOGIT_BIAS_ENTRIES = 1024;
const MAX_LISTED_KEYS = 5;

/**
 * zod sees a stand-in for a prompt already known to be valid, and only the start of an invalid
 * one (up to a few elements past where it breaks): its union over a long array costs seconds
 * and, with every element wrong, overflowed the stack. The messages are zod's own.
 */
function withBoundedPrompt(input: Record<string, unknown>): Record<string, unknown> {
  const prompt = input.prompt;
  if (isPrompt(prompt)) return { ...input, prompt: 'valid' };
  if (!Array.isArray(prompt) || prompt.length <= MAX_LISTED_PROBLEMS) return input;
  const isString = (each: unknown) => typeof each === 'string';
  const isTokens = (each: unknown) => Array.isArray(each) && each.length > 0 && each.every((id) => Number.isSafeInteger(id) && id >= 0);
  const isToken = (each: unknown) => Number.isSafeInteger(each) && (each as number) >= 0;
  // The branch that got furthest is the one zod's message describes.
  const reached = Math.max(...[isString, isTokens, isToken].map((test) => {
    const index = prompt.findIndex((each) => !test(each));
    return index === -1 ? prompt.length : index;
  }));
  return { ...input, prompt: prompt.slice(0, reached + MAX_LISTED_PROBLEMS) };
}

function copyPrompt(prompt: Prompt): Prompt {
  return (Array.isArray(prompt) ? prompt.map((each) => (Array.isArray(each) ? each.slice() : each)) : prompt) as Prompt;
}

function checkSizes(input: Record<string, unknown>): void {
  const bias = input.logit_bias;
  if (typeof bias === 'object' && bias !== null && !Array.isArray(bias)) {
    let count = 0;
    for (const key in bias) {
      if (Object.hasOwn(bias, key) && ++count > MAX_LOGIT_BIAS_ENTRIES) {
        throw new InvalidRequestError(`Invalid request: logit_bias: at most ${MAX_LOGIT_BIAS_ENTRIES} entries are allowed.`, { param: 'logit_bias' });
      }
    }
  }
}

type Issue = { code: string; message: string; path: PropertyKey[]; errors?: Issue[][] };

/**
 * A union fails as a whole; when one branch got past the type check (e.g. `stop: ['a', 3]` is an
 * array of strings but for one element), its inner issue names the field precisely: `stop[1]`.
 */
function narrowUnionIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors) return issue;
  const candidates = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
  if (candidates.length === 0) return issue;
  const best = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  const inner = narrowUnionIssue(best[0]!);
  return { ...inner, path: [...issue.path, ...inner.path] };
}

function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_union') {
    const field = formatIssuePath(issue.path);
    if (field === 'prompt') return 'expected a string, an array of strings, an array of token ids, or an array of token-id arrays (none empty)';
    if (field === 'stop') return 'expected a string or an array of 1 to 4 strings';
  }
  return truncate(issue.message, 200);
}

/** The prompt as a list of prompts: OpenAI treats an array as one completion per element. */
export function promptList(prompt: Prompt): Array<string | number[]> {
  if (typeof prompt === 'string') return [prompt];
  if (typeof prompt[0] === 'number') return [prompt as number[]];
  return prompt as Array<string | number[]>;
}
