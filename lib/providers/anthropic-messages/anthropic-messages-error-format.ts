import type { UpstreamErrorFormat } from '../read-upstream-error.ts';
import { anthropicSchemas } from './anthropic-messages-schemas.ts';

/** `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`: the type is the code. */
export const anthropicMessagesErrorFormat: UpstreamErrorFormat = {
  get schema() {
    return anthropicSchemas().error;
  },
  toFields: (data: { error: { type?: string | null; message?: string | null } }) => ({ message: data.error.message, code: data.error.type ?? null }),
};
