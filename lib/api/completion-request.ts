/**
 * The OpenAI legacy text-completions request, every parameter with its real type and range.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 */
import { InvalidRequestError } from './errors.ts';
import { parseCommonRequest } from './parse-common-request.ts';
import { formatIssuePath, z } from './zod.ts';

const integer = () => z.number().check(z.int());
const between = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));
const tokenId = () => integer().check(z.gte(0));

export const promptSchema = z.union([
  z.string(),
  z.array(z.string()).check(z.minLength(1)),
  z.array(tokenId()).check(z.minLength(1)),
  z.array(z.array(tokenId()).check(z.minLength(1))).check(z.minLength(1)),
]);

export const completionRequestSchema = z
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

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
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
  for (const [key, value] of Object.entries(body)) if (value !== null) withoutNulls[key] = value;

  const common = parseCommonRequest(withoutNulls);
  if (common !== undefined) return common;
  const result = completionRequestSchema.safeParse(withoutNulls);
  if (result.success) return result.data;

  const issues = (result.error.issues as unknown as Issue[]).map(narrowUnionIssue);
  const issue = issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as unknown as { keys: string[] }).keys;
    throw new InvalidRequestError(`Unrecognized request argument supplied: ${keys.join(', ')}`, { param: keys[0] ?? null });
  }
  const param = formatIssuePath(issue.path) || null;
  const messages = issues.map((each) => `${formatIssuePath(each.path) || 'body'}: ${describeIssue(each)}`);
  throw new InvalidRequestError(`Invalid request: ${messages.join('; ')}`, { param });
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
  return issue.message;
}

/** The prompt as a list of prompts: OpenAI treats an array as one completion per element. */
export function promptList(prompt: Prompt): Array<string | number[]> {
  if (typeof prompt === 'string') return [prompt];
  if (typeof prompt[0] === 'number') return [prompt as number[]];
  return prompt as Array<string | number[]>;
}
