/**
 * zod/mini with English messages. The full `zod` import costs ~450 KB minified;
 * mini plus the locale stays small, and every bundle is cold start.
 *
 * `z` is a plain object of the functions we use, not the module namespace: a namespace exported
 * as a value keeps every export of zod/mini (and, through it, all of zod core and every locale:
 * ~430 KB) in the bundle, because esbuild cannot see which members are used. Need another zod/mini
 * function? Add it to `z` below (tsc tells you when one is missing).
 */
import * as mini from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { lazy } from './lazy.ts';

// English messages, built when the first message is: most containers never see an invalid request.
const english = lazy(() => en().localeError!);
mini.config({ localeError: (issue) => english()(issue) });

export const z = {
  _default: mini._default,
  array: mini.array,
  boolean: mini.boolean,
  discriminatedUnion: mini.discriminatedUnion,
  enum: mini.enum,
  gt: mini.gt,
  gte: mini.gte,
  int: mini.int,
  lazy: mini.lazy,
  literal: mini.literal,
  looseObject: mini.looseObject,
  lt: mini.lt,
  lte: mini.lte,
  maxLength: mini.maxLength,
  minLength: mini.minLength,
  nonnegative: mini.nonnegative,
  nullable: mini.nullable,
  nullish: mini.nullish,
  number: mini.number,
  object: mini.object,
  optional: mini.optional,
  positive: mini.positive,
  record: mini.record,
  refine: mini.refine,
  regex: mini.regex,
  strictObject: mini.strictObject,
  string: mini.string,
  tuple: mini.tuple,
  union: mini.union,
  unknown: mini.unknown,
  url: mini.url,
};

/** The zod/mini types we name (`z.infer<typeof schema>`); a type-only namespace merges with the value above. */
export declare namespace z {
  export type infer<T> = mini.infer<T>;
  export type ZodMiniType<Output = unknown, Input = unknown> = mini.ZodMiniType<Output, Input>;
  export type ZodMiniString<Input = unknown> = mini.ZodMiniString<Input>;
  export type ZodMiniOptional<T extends mini.ZodMiniType = mini.ZodMiniType> = mini.ZodMiniOptional<T>;
}

/** Renders a zod issue path the way OpenAI names params: `stop[2]`, `stream_options.include_usage`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
