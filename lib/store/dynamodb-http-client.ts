/**
 * DynamoDB's JSON protocol (1.0) spoken directly, through the gateway's AWS JSON client
 * (lib/aws/aws-json-call.ts): one signed POST per call over a keep-alive connection. A limited
 * request makes a few calls on the thread that serves the caller, and the SDK's client costs ~5x a
 * plain POST in CPU per call. Where and as whom calls go is read from the environment on Lambda
 * (`AWS_REGION`, the role's credentials, `AWS_ENDPOINT_URL_DYNAMODB`), else resolved by the SDK,
 * imported only then (lib/aws/resolve-aws-connection.ts).
 *
 * Throttling (`ThrottlingException`, `ProvisionedThroughputExceededException`, `RequestLimitExceeded`),
 * 5xx and calls DynamoDB cannot have seen (no connection) are retried within `maxAttempts` after ~10
 * and ~20 ms (jittered). A call sent and not answered in time is not: a conditional add might then
 * count twice. Anything else is an answer (a failed condition among them) and is not retried.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
import { type AwsJsonClient, type AwsJsonClientOptions, type AwsJsonService, AwsCallError, createAwsJsonClient } from '../aws/aws-json-call.ts';
import type { AwsConnectionOptions, SdkClientConfig } from '../aws/resolve-aws-connection.ts';

export type DynamoDbConnection = AwsConnectionOptions;
export type DynamoDbHttpOptions = AwsJsonClientOptions;
export type DynamoDbHttpClient = AwsJsonClient;

/** A call DynamoDB refused or that could not be made; `name` is DynamoDB's error type (or the network error's). */
export const DynamoDbCallError = AwsCallError;
export type DynamoDbCallError = AwsCallError;

export const DYNAMODB: AwsJsonService = {
  id: 'DynamoDB',
  name: 'DynamoDB',
  endpointPrefix: 'dynamodb',
  signingName: 'dynamodb',
  contentType: 'application/x-amz-json-1.0',
  targetPrefix: 'DynamoDB_20120810',
  retriedErrors: new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable']),
  async sdkConfig(region) {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    return new DynamoDBClient(region ? { region } : {}).config as unknown as SdkClientConfig;
  },
};

export function createDynamoDbHttpClient(options: DynamoDbHttpOptions = {}): DynamoDbHttpClient {
  // The shared defaults are DynamoDB's: 3 attempts, connect 1 s, 2 s per attempt, retries after ~10 and ~20 ms.
  return createAwsJsonClient(DYNAMODB, options);
}

let processClient: DynamoDbHttpClient | undefined;

/**
 * The process's client for its table as the environment configures it: the limits and the
 * response cache share it, so one keep-alive pool and one resolution serve both rather than two
 * connections (and two TLS handshakes) per container.
 */
export function processDynamoDbHttpClient(): DynamoDbHttpClient {
  return (processClient ??= createDynamoDbHttpClient());
}
