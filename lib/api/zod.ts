/**
 * zod/mini with English messages. The full `zod` import costs ~450 KB minified;
 * mini plus the locale stays small, and every bundle is cold start.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

export { z };

/** Renders a zod issue path the way OpenAI names params: `stop[2]`, `stream_options.include_usage`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
