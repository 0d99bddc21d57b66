/**
 * The shape of what is stored: a virtual key's secret is a JSON object of the snake_case target
 * fields (DESIGN.md → Keys) plus an optional `allowed_principals`; a stored config is any JSON
 * object (the config parser validates it) that may also carry `allowed_principals`.
 */
import { lazy } from '../api/lazy.ts';
import { formatIssuePath, z } from '../api/zod.ts';
import { targetFieldsShape, type TargetFields } from '../config/target.ts';
import { SecretReadError } from './key-errors.ts';

/** Built on first use: only a container that reads a stored key or config pays for them. */
const schemas = lazy(() => {
  const allowedPrincipals = z.optional(z.array(z.string().check(z.minLength(1))));

  /**
   * The target's fields (lib/config/target.ts), strict, unlike provider response schemas: a typo
   * such as `apiKey` in a secret would otherwise send requests without a key, and the operator
   * would see only the provider's 401. `virtual_key` is refused: a secret cannot point at another
   * secret.
   */
  const { virtual_key: _virtualKey, ...fields } = targetFieldsShape();
  const virtualKeySecret = z.strictObject({
    ...fields,
    provider: z.string().check(z.minLength(1)),
    allowed_principals: allowedPrincipals,
  });

  return { allowedPrincipals, virtualKeySecret };
});

/**
 * Builds the schemas a stored value is checked with, and checks a minimal secret with them, which
 * does zod's own first-parse setup (3.5-5.7 ms, and the first real check 1.2-2.0 ms -> 0.3-0.5 ms,
 * measured in fresh Node 24 processes): the Secrets Manager key store has this run while its first
 * read is in flight, so that none of it falls between Secrets Manager's answer and the provider request.
 */
export function prepareStoredKeySchemas(): void {
  schemas().virtualKeySecret.safeParse({ provider: 'openai' });
}

export interface StoredVirtualKey {
  target: TargetFields;
  /** Absent: any caller may use it. */
  allowedPrincipals?: string[];
}

export interface StoredConfig {
  config: Record<string, unknown>;
  allowedPrincipals?: string[];
}

/**
 * Validates a virtual key's secret value.
 * @throws SecretReadError `invalid`, naming the secret and the offending field, never a value.
 */
export function parseStoredVirtualKey(value: unknown, secretName: string): StoredVirtualKey {
  const result = schemas().virtualKeySecret.safeParse(withServiceAccountAsText(value));
  if (!result.success) {
    const problems = result.error.issues.slice(0, 3).map((issue) => `${formatIssuePath(issue.path) || '(root)'}: ${issue.message}`);
    throw new SecretReadError('invalid', secretName, `The secret ${secretName} is not a valid virtual key (${problems.join('; ')}).`);
  }
  const { allowed_principals: allowedPrincipals, ...target } = result.data;
  return allowedPrincipals === undefined ? { target } : { target, allowedPrincipals };
}

/**
 * Portkey stores `vertex_service_account_json` as the key file's object as well as its text;
 * a target field is text (it can also come from a header), so the object is kept as its JSON.
 * @example withServiceAccountAsText({ vertex_service_account_json: { client_email: 'a@b' } }) // { vertex_service_account_json: '{"client_email":"a@b"}' }
 */
function withServiceAccountAsText(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const account = (value as Record<string, unknown>).vertex_service_account_json;
  if (typeof account !== 'object' || account === null || Array.isArray(account)) return value;
  return { ...value, vertex_service_account_json: JSON.stringify(account) };
}

/** Checks that a stored config is a JSON object and takes `allowed_principals` out of it. */
export function parseStoredConfig(value: unknown, secretName: string): StoredConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretReadError('invalid', secretName, `The secret ${secretName} is not a config: expected a JSON object.`);
  }
  const { allowed_principals: principals, ...config } = value as Record<string, unknown>;
  const result = schemas().allowedPrincipals.safeParse(principals);
  if (!result.success) {
    throw new SecretReadError('invalid', secretName, `The secret ${secretName} has an invalid allowed_principals: expected a list of strings.`);
  }
  return result.data === undefined ? { config } : { config, allowedPrincipals: result.data };
}

/** Parses a SecretString; the JSON parser's own message is not used, since it quotes the text. */
export function parseSecretJson(text: string, secretName: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SecretReadError('invalid', secretName, `The secret ${secretName} is not JSON; store a JSON object.`);
  }
}
