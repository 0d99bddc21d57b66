/**
 * Reads one secret with the AWS SDK's Secrets Manager client and sorts its failures into the
 * kinds the cache acts on. The SDK honours `AWS_REGION` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`
 * (service id "Secrets Manager" → `AWS_ENDPOINT_URL_` + `SECRETS_MANAGER`) on its own.
 *
 * The raw client, not Powertools' `getSecret`: Powertools adds ~6 KB to the bundle and its
 * cache (a max age) has no single flight, no stale-on-error and no negative caching, which
 * `SecretCache` must do anyway. The SDK is imported on first use, so a container that never
 * sees a virtual key never evaluates it.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import type { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretReadError } from './key-errors.ts';
import { parseSecretJson } from './parse-stored-key.ts';

export interface SecretsManagerReaderOptions {
  /** A ready client (tests, custom credentials); otherwise one is built on first use. */
  client?: Pick<SecretsManagerClient, 'send'>;
  /** SDK attempts per read, first included. Few: the cache serves old values through outages. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Names of SDK errors that are a definitive "no" from the service. */
const NOT_FOUND = new Set(['ResourceNotFoundException', 'InvalidRequestException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException']);

/** Returns `read(name)`: the SecretString parsed as JSON. */
export function createSecretsManagerReader(options: SecretsManagerReaderOptions = {}): (name: string) => Promise<unknown> {
  let loaded: Promise<[Pick<SecretsManagerClient, 'send'>, typeof GetSecretValueCommand]> | undefined;

  function load() {
    loaded ??= import('@aws-sdk/client-secrets-manager').then((sdk) => [
      options.client ??
        new sdk.SecretsManagerClient({
          maxAttempts: options.maxAttempts ?? 2,
          requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 1_000, requestTimeout: options.requestTimeoutMs ?? 3_000 },
        }),
      sdk.GetSecretValueCommand,
    ]);
    return loaded;
  }

  return async function readSecretsManagerSecret(name) {
    let output;
    try {
      const [secretsManager, Command] = await load();
      output = await secretsManager.send(new Command({ SecretId: name }));
    } catch (error) {
      throw classify(error, name);
    }
    if (typeof output.SecretString !== 'string') {
      throw new SecretReadError('invalid', name, `The secret ${name} has no SecretString; store a JSON object as text.`);
    }
    return parseSecretJson(output.SecretString, name);
  };
}

function classify(error: unknown, name: string): SecretReadError {
  const errorName = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // The SDK's messages name the secret, not its value; keep them as the cause for the log.
  if (NOT_FOUND.has(errorName)) return new SecretReadError('not_found', name, `The secret ${name} does not exist.`, { cause: error });
  if (DENIED.has(errorName) || status === 403) {
    return new SecretReadError('denied', name, `The gateway may not read the secret ${name}.`, { cause: error });
  }
  // Throttling, 5xx, timeouts, refused connections, KMS failures: worth serving an old value for.
  return new SecretReadError('unavailable', name, `The secret ${name} could not be read (${errorName || 'error'}).`, { cause: error });
}
