/**
 * What can go wrong while reading a stored key or config, in two layers: `SecretReadError` is what
 * a source (Secrets Manager, the local file) reports, with a `kind` the cache acts on; the store
 * turns it into the `GatewayError` a caller sees. Messages name secrets, never their values.
 */
import { AuthenticationError, GatewayError } from '../api/errors.ts';
import { describeUnresolvedName } from './unresolved-name.ts';

/**
 * - `not_found`: the secret does not exist (or is scheduled for deletion); cached briefly.
 * - `denied`: the gateway's role may not read it; cached briefly.
 * - `invalid`: it exists but is not the JSON we expect; cached briefly, since a retry reads the same bytes.
 * - `unavailable`: the source failed (throttled, 5xx, network); a value read before keeps serving.
 */
export type SecretReadErrorKind = 'not_found' | 'denied' | 'invalid' | 'unavailable';

export class SecretReadError extends Error {
  readonly kind: SecretReadErrorKind;
  /** The secret's name (e.g. `llm-gateway/openai-prod`), safe to log and to tell. */
  readonly secretName: string;

  constructor(kind: SecretReadErrorKind, secretName: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SecretReadError';
    this.kind = kind;
    this.secretName = secretName;
  }
}

/** 503: the key store could not be read and nothing usable was cached. */
export class KeyStoreUnavailableError extends GatewayError {
  override readonly name: string = 'KeyStoreUnavailableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { statusCode: 503, type: 'api_error', code: 'key_store_unavailable', cause: options.cause });
  }
}

/** 500: a stored key or config is not what the gateway expects; the operators must fix the secret. */
export class InvalidStoredKeyError extends GatewayError {
  override readonly name: string = 'InvalidStoredKeyError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { statusCode: 500, type: 'api_error', code: 'invalid_stored_key', cause: options.cause });
  }
}

/**
 * A target's own failure: the virtual key it names is unknown, denied to this caller or to the
 * gateway, malformed, or unreadable right now. Answered as its cause (same status, type, code and
 * message), but fallback moves on from it: another target may well work. A new error around the
 * cause, so that no shared error is marked.
 */
export class TargetUnavailableError extends GatewayError {
  override readonly name: string = 'TargetUnavailableError';
  constructor(cause: GatewayError) {
    super(cause.message, { statusCode: cause.statusCode, type: cause.type, param: cause.param, code: cause.code, cause });
  }
}

export type StoredKind = 'virtual key' | 'config';

/**
 * The caller-facing error for a failed read of the virtual key or config `id`. A name that never
 * resolved (not found, unreadable) is shown only as `describeUnresolvedName`, in the message and
 * in the cause the edge logs.
 */
export function toKeyStoreError(error: SecretReadError, kind: StoredKind, id: string): GatewayError {
  const code = kind === 'virtual key' ? 'virtual_key' : 'config';
  if (error.kind === 'invalid') return new InvalidStoredKeyError(error.message, { cause: error });
  const shown = describeUnresolvedName(id);
  const cause = new SecretReadError(error.kind, error.secretName.replace(id, shown), error.message.replaceAll(id, shown), { cause: error.cause });
  switch (error.kind) {
    case 'not_found':
      return new AuthenticationError(`Unknown ${kind} "${shown}".`, { statusCode: 404, code: `${code}_not_found`, cause });
    case 'denied':
      return new AuthenticationError(`The gateway is not allowed to read the ${kind} "${shown}".`, {
        statusCode: 403,
        code: `${code}_access_denied`,
        cause,
      });
    case 'unavailable':
      return new KeyStoreUnavailableError(`The ${kind} "${shown}" cannot be read right now; try again shortly.`, { cause });
  }
}
