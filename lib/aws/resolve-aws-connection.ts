/**
 * Where and as whom the gateway's own call to an AWS service goes (DynamoDB, Secrets Manager):
 * endpoint, region and credentials, resolved as the AWS SDK would resolve them.
 *
 * On Lambda the environment says it all (`AWS_REGION`, the execution role's `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, no shared config file), so that is read here and
 * the SDK (~60 ms of CPU to load a client's chunks on a cold start's first request) is not imported.
 * Whatever the fast path does not model (a profile, FIPS or dual-stack endpoints, ignored endpoint
 * variables, a shared config or credentials file, a region outside the `aws` and `aws-cn`
 * partitions) goes to the SDK's own resolution instead: correctness first.
 *
 * Endpoint precedence, as the SDKs apply it: `AWS_ENDPOINT_URL_<SERVICE_ID>` (the service id
 * uppercased, spaces as `_`: `AWS_ENDPOINT_URL_SECRETS_MANAGER`), then `AWS_ENDPOINT_URL`, then the
 * shared config file, then the region's endpoint. The JS SDK reads the region from `AWS_REGION` only
 * (not `AWS_DEFAULT_REGION`), and skips the credential variables when `AWS_PROFILE` is set.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/ss-endpoints-table.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
 * @see https://docs.aws.amazon.com/general/latest/gr/asm.html (Secrets Manager endpoints)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsCredentials } from './sign-aws-request.ts';

/** The part of an SDK client's resolved configuration read on the SDK path. */
export interface SdkClientConfig {
  region: () => Promise<string>;
  credentials: () => Promise<unknown>;
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  endpointProvider: (params: { Region: string; UseFIPS: boolean; UseDualStack: boolean }) => { url: URL };
}

export interface AwsService {
  /** The SDK's service id (`DynamoDB`, `Secrets Manager`): names `AWS_ENDPOINT_URL_<ID>`. */
  id: string;
  /** The first label of the regional host: `dynamodb`, `secretsmanager`. */
  endpointPrefix: string;
  /** Imports the service's SDK client and builds one (with `region` when given): the SDK path only. */
  sdkConfig: (region: string | undefined) => Promise<SdkClientConfig>;
}

export interface AwsConnectionOptions {
  /** Default: as the SDK resolves it (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, a profile, the region's). */
  endpoint?: string;
  /** Default: as the SDK resolves it (`AWS_REGION`, a profile). */
  region?: string;
  /** Default: the SDK's credential chain (the environment on Lambda). */
  credentials?: AwsCredentials;
}

export interface AwsConnection {
  endpoint: string;
  region: string;
  /** Cheap per call: fixed values, or the SDK chain's memoised provider. */
  credentials: () => Promise<AwsCredentials>;
  /** How it was resolved: all given, from the environment alone, or through the SDK. */
  source: 'given' | 'environment' | 'sdk';
}

/**
 * The partitions whose regional endpoints are `https://<prefix>.<region>.<dnsSuffix>`, with the SDK's
 * own region patterns (`@aws-sdk/util-endpoints` partitions.json). Others (GovCloud, ISO, EUSC)
 * resolve through the SDK.
 */
const PARTITIONS = [
  { regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { regionRegex: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
];

/**
 * Settings that change where or as whom calls go in ways the fast path does not model: any of
 * them set (even to "false") sends resolution to the SDK.
 */
const SDK_ONLY_SETTINGS = ['AWS_PROFILE', 'AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];

/**
 * Resolves what `given` leaves open: from the environment alone when it says it all, else from
 * the SDK's configuration for `service` (imported only then).
 *
 * @example
 * await resolveAwsConnection(SECRETS_MANAGER, {}, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's' })
 * // { endpoint: 'https://secretsmanager.eu-west-1.amazonaws.com', region: 'eu-west-1', credentials, source: 'environment' }
 */
export async function resolveAwsConnection(service: AwsService, given: AwsConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<AwsConnection> {
  if (given.endpoint && given.region && given.credentials) return { ...fixed(given.endpoint, given.region, given.credentials), source: 'given' };
  return connectionFromEnvironment(service, given, env) ?? (await connectionFromSdk(service, given));
}

/** The fast path: the connection when the environment (with `given`) settles every part of it; otherwise undefined. */
export function connectionFromEnvironment(service: AwsService, given: AwsConnectionOptions, env: NodeJS.ProcessEnv): AwsConnection | undefined {
  if (SDK_ONLY_SETTINGS.some((name) => env[name] !== undefined)) return undefined;
  const region = given.region ?? (env.AWS_REGION || undefined);
  const credentials = given.credentials ?? credentialsFromEnvironment(env);
  if (!region || !credentials) return undefined;
  let endpoint = given.endpoint;
  if (!endpoint) {
    // A shared config or credentials file may name an endpoint, ignore the variables, or turn on FIPS.
    if (sharedFilesExist(env)) return undefined;
    endpoint = configuredEndpoint(service, env) ?? regionalEndpoint(service, region);
    if (!endpoint) return undefined;
  }
  return { ...fixed(endpoint, region, credentials), source: 'environment' };
}

/**
 * The credential variables as the SDK's default chain reads them first (its `fromEnv` step), or
 * undefined when they are absent or `AWS_PROFILE` makes the chain skip them.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
  if (env.AWS_PROFILE || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** `AWS_ENDPOINT_URL_<SERVICE_ID>`, then `AWS_ENDPOINT_URL` (an empty value counts as unset, as in the SDK). */
export function configuredEndpoint(service: AwsService, env: NodeJS.ProcessEnv): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service.id.toUpperCase().replaceAll(' ', '_')}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** `https://<prefix>.<region>.amazonaws.com` (`.com.cn` in China); undefined outside those partitions. */
export function regionalEndpoint(service: AwsService, region: string): string | undefined {
  const partition = PARTITIONS.find((each) => each.regionRegex.test(region));
  return partition && `https://${service.endpointPrefix}.${region}.${partition.dnsSuffix}`;
}

function sharedFilesExist(env: NodeJS.ProcessEnv): boolean {
  // node:os only when needed: this module loads with the entry, and nothing else there needs os.
  const home = env.HOME || env.USERPROFILE || process.getBuiltinModule('node:os').homedir();
  return existsSync(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')) || existsSync(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'));
}

function fixed(endpoint: string, region: string, credentials: AwsCredentials): Omit<AwsConnection, 'source'> {
  const resolved = Promise.resolve(credentials);
  return { endpoint, region, credentials: () => resolved };
}

/** The SDK path: what was not given, from the service client's own configuration resolution. */
async function connectionFromSdk(service: AwsService, given: AwsConnectionOptions): Promise<AwsConnection> {
  const config = await service.sdkConfig(given.region);
  const region = given.region ?? (await config.region());
  const configured = given.endpoint ?? (await config.serviceConfiguredEndpoint?.());
  const endpoint =
    configured ?? config.endpointProvider({ Region: region, UseFIPS: await config.useFipsEndpoint(), UseDualStack: await config.useDualstackEndpoint() }).url.href;
  const credentials = given.credentials;
  // The chain's provider is memoised by the SDK (refreshed before expiry); a call costs a promise.
  return {
    endpoint,
    region,
    credentials: credentials ? () => Promise.resolve(credentials) : async () => (await config.credentials()) as AwsCredentials,
    source: 'sdk',
  };
}
