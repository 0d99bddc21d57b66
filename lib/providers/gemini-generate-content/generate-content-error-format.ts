import type { UpstreamErrorFormat } from '../read-upstream-error.ts';
import { googleSchemas } from './google-schemas.ts';

/**
 * Google's error shape, also Vertex AI's (for Claude on Vertex too):
 * `{"error": {"code": 400, "message": ..., "status": "INVALID_ARGUMENT"}}`; the status is the code.
 * @see https://cloud.google.com/apis/design/errors#http_mapping
 */
export const generateContentErrorFormat: UpstreamErrorFormat = {
  get schema() {
    return googleSchemas().error;
  },
  toFields: (data: { error: { message?: string | null; status?: string | null } }) => ({ message: data.error.message, code: data.error.status ?? null }),
};
