/**
 * Reads one secret with Secrets Manager's JSON 1.1 protocol (`GetSecretValue`, a signed
 * `POST /` through lib/aws/aws-json-call.ts) and sorts its failures into the kinds the cache acts on.
 *
 * Not the SDK's client: loading it (~240 KB of chunks: smithy core, the credential chain, its HTTP
 * handler) cost a cold start's first request ~60 ms of CPU, and that request waits for the limits
 * document read through here. Where and as whom reads go comes from the environment on Lambda
 * (`AWS_REGION`, the role's credentials, `AWS_ENDPOINT_URL_SECRETS_MANAGER` or `AWS_ENDPOINT_URL`);
 * anything else (a profile, FIPS, a shared config file) is resolved by the SDK, imported only then
 * (lib/aws/resolve-aws-connection.ts). Not Powertools' `getSecret` either: its cache (a max age)
 * has no single flight, no stale-on-error and no negative caching, which `SecretCache` does.
 *
 * Throttling, 5xx and calls never sent are retried once (after 25-50 ms); a read gets 1 s to
 * connect and 3 s to be answered. The cache serves an old value through longer outages.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { type AwsJsonClient, type AwsJsonClientOptions, type AwsJsonService, AwsCallError, createAwsJsonClient } from '../aws/aws-json-call.ts';
import type { SdkClientConfig } from '../aws/resolve-aws-connection.ts';
import { SecretReadError } from './key-errors.ts';
import { parseSecretJson } from './parse-stored-key.ts';

/** Where and as whom (default: the environment's, else the SDK's resolution), attempts and timeouts. */
export type SecretsManagerReaderOptions = AwsJsonClientOptions;

export const SECRETS_MANAGER: AwsJsonService = {
  id: 'Secrets Manager',
  name: 'Secrets Manager',
  endpointPrefix: 'secretsmanager',
  signingName: 'secretsmanager',
  contentType: 'application/x-amz-json-1.1',
  targetPrefix: 'secretsmanager',
  // 5xx (InternalServiceError, ServiceUnavailable) are retried by status.
  retriedErrors: new Set(['ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']),
  async sdkConfig(region) {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient(region ? { region } : {}).config as unknown as SdkClientConfig;
  },
};

/** Error types that are a definitive "no" from the service. */
const NOT_FOUND = new Set(['ResourceNotFoundException', 'InvalidRequestException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException']);

let processClient: AwsJsonClient | undefined;

/**
 * Returns `read(name)`: the SecretString parsed as JSON. Without options, every reader of the
 * process shares one client (the limits document and the virtual keys: one connection, one resolution).
 */
export function createSecretsManagerReader(options: SecretsManagerReaderOptions = {}): (name: string) => Promise<unknown> {
  const own = readerOptions(options);
  const client = Object.keys(own).length > 0 ? createSecretsManagerClient(own) : (processClient ??= createSecretsManagerClient({}));

  return async function readSecretsManagerSecret(name) {
    let output: { SecretString?: unknown };
    try {
      output = await client.call<{ SecretString?: unknown }>('GetSecretValue', { SecretId: name });
    } catch (error) {
      throw classify(error, name);
    }
    if (typeof output.SecretString !== 'string') {
      throw new SecretReadError('invalid', name, `The secret ${name} has no SecretString; store a JSON object as text.`);
    }
    return parseSecretJson(output.SecretString, name);
  };
}

function createSecretsManagerClient(options: SecretsManagerReaderOptions): AwsJsonClient {
  return createAwsJsonClient(SECRETS_MANAGER, { maxAttempts: 2, connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, retryBaseDelayMs: 50, ...options });
}

function classify(error: unknown, name: string): SecretReadError {
  const errorName = error instanceof Error ? error.name : '';
  const status = error instanceof AwsCallError ? error.statusCode : undefined;
  // The service's messages name the secret, not its value; keep them as the cause for the log.
  if (NOT_FOUND.has(errorName)) return new SecretReadError('not_found', name, `The secret ${name} does not exist.`, { cause: error });
  if (DENIED.has(errorName) || status === 403) {
    return new SecretReadError('denied', name, `The gateway may not read the secret ${name}.`, { cause: error });
  }
  // Throttling, 5xx, timeouts, refused connections, KMS failures, no credentials: worth serving an old value for.
  return new SecretReadError('unavailable', name, `The secret ${name} could not be read (${errorName || 'error'}).`, { cause: error });
}

const READER_OPTIONS = ['endpoint', 'region', 'credentials', 'maxAttempts', 'connectionTimeoutMs', 'requestTimeoutMs', 'retryBaseDelayMs', 'env'] as const;

/** The reader's own options that are set (a key store passes its prefix and cache settings along too). */
function readerOptions(options: SecretsManagerReaderOptions): SecretsManagerReaderOptions {
  const own: Record<string, unknown> = {};
  for (const key of READER_OPTIONS) if (options[key] !== undefined) own[key] = options[key];
  return own as SecretsManagerReaderOptions;
}
