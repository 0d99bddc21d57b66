import { checkJsonBounds } from '../api/check-json-bounds.ts';
import { InvalidRequestError } from '../api/errors.ts';

const METADATA_HEADER = 'x-portkey-metadata';
/** Labels are flat in practice (`{"user": "…", "plan": "pro"}`). */
const METADATA_BOUNDS = { maxDepth: 8, maxNodes: 1_000 };

/**
 * `x-portkey-metadata`: a JSON object of the caller's labels (user, plan, environment), which
 * conditional routing reads as `metadata.*`.
 * @throws InvalidRequestError (400) when present but not a JSON object.
 */
export function readMetadataHeader(value: string | undefined): Record<string, unknown> {
  const text = value?.trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`${METADATA_HEADER} is not valid JSON.`, { param: METADATA_HEADER, code: 'invalid_metadata' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError(`${METADATA_HEADER} must be a JSON object.`, { param: METADATA_HEADER, code: 'invalid_metadata' });
  }
  // Conditional routing walks it and the usage line may carry it: bounded like a config.
  const problem = checkJsonBounds(parsed, METADATA_BOUNDS);
  if (problem) throw new InvalidRequestError(`${METADATA_HEADER} is ${problem}.`, { param: METADATA_HEADER, code: 'invalid_metadata' });
  return parsed as Record<string, unknown>;
}
