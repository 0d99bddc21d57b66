/**
 * Where and as whom: the environment's fast path gives what the real SDK clients resolve from the
 * same environment (endpoints per region and partition, the endpoint variables), and everything it
 * does not model goes to the SDK, whose answer is then used. The SDK reads `process.env`, so each
 * case sets it and passes the same object.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SECRETS_MANAGER } from '../keys/read-secrets-manager-secret.ts';
import { DYNAMODB } from '../store/dynamodb-http-client.ts';
import { credentialsFromEnvironment, regionalEndpoint, resolveAwsConnection, type AwsService } from './resolve-aws-connection.ts';

const saved = { ...process.env };
const NO_FILES = { AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials' };
const ROLE = { AWS_ACCESS_KEY_ID: 'ASIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE' };

/** What Lambda sets, and nothing of this machine's own environment. */
function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: saved.PATH, AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', ...ROLE, ...NO_FILES, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
  process.env = env;
  return env;
}

const SERVICES = [
  ['Secrets Manager', SECRETS_MANAGER, (region?: string) => new SecretsManagerClient(region ? { region } : {}).config],
  ['DynamoDB', DYNAMODB, (region?: string) => new DynamoDBClient(region ? { region } : {}).config],
] as const;

/** The endpoint the real SDK client resolves from `process.env`: a configured one, else its rules'. */
async function sdkEndpoint(config: ReturnType<(typeof SERVICES)[number][2]>): Promise<string> {
  const configured = await (config as { serviceConfiguredEndpoint?: () => Promise<string | undefined> }).serviceConfiguredEndpoint?.();
  if (configured) return configured;
  const region = await config.region();
  return config.endpointProvider({ Region: region, UseFIPS: await config.useFipsEndpoint(), UseDualStack: await config.useDualstackEndpoint() }).url.href;
}

afterEach(() => {
  process.env = { ...saved };
});
afterAll(() => {
  process.env = saved;
});

describe.each(SERVICES)('for %s', (_name, service, sdkConfig) => {
  it('reads region, credentials and the regional endpoint from what Lambda sets', async () => {
    const connection = await resolveAwsConnection(service, {}, environment());
    expect(connection).toMatchObject({ region: 'eu-west-1', source: 'environment', endpoint: `https://${service.endpointPrefix}.eu-west-1.amazonaws.com` });
    expect(await connection.credentials()).toEqual({ accessKeyId: ROLE.AWS_ACCESS_KEY_ID, secretAccessKey: ROLE.AWS_SECRET_ACCESS_KEY, sessionToken: ROLE.AWS_SESSION_TOKEN });
  });

  it('gives the SDK\'s endpoint in every region of the aws and aws-cn partitions', async () => {
    for (const region of ['us-east-1', 'us-west-2', 'eu-central-2', 'ap-southeast-5', 'sa-east-1', 'ca-west-1', 'me-central-1', 'af-south-1', 'il-central-1', 'mx-central-1', 'cn-north-1', 'cn-northwest-1']) {
      const connection = await resolveAwsConnection(service, {}, environment({ AWS_REGION: region }));
      expect(connection.source).toBe('environment');
      expect(new URL(connection.endpoint).href, region).toBe(await sdkEndpoint(sdkConfig()));
    }
    expect(regionalEndpoint(service, 'cn-north-1')).toBe(`https://${service.endpointPrefix}.cn-north-1.amazonaws.com.cn`);
  });

  it('honours the endpoint variables in the SDK\'s order', async () => {
    const specific = `AWS_ENDPOINT_URL_${service.id.toUpperCase().replaceAll(' ', '_')}`;
    const cases: Array<[Record<string, string>, string]> = [
      [{ [specific]: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' }, 'http://127.0.0.1:4566'],
      [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:9999/prefix' }, 'http://127.0.0.1:9999/prefix'],
      [{ [specific]: '', AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' }, 'http://127.0.0.1:9999'],
      [{ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:1' }, `https://${service.endpointPrefix}.eu-west-1.amazonaws.com/`],
    ];
    for (const [variables, expected] of cases) {
      const connection = await resolveAwsConnection(service, {}, environment(variables));
      expect(connection.source).toBe('environment');
      expect(connection.endpoint.replace(/\/$/, ''), JSON.stringify(variables)).toBe(expected.replace(/\/$/, ''));
      expect((await sdkEndpoint(sdkConfig())).replace(/\/$/, '')).toBe(expected.replace(/\/$/, ''));
    }
  });

  it.each([
    ['FIPS', { AWS_USE_FIPS_ENDPOINT: 'true' }],
    ['dual-stack', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }],
    ['FIPS off, said explicitly', { AWS_USE_FIPS_ENDPOINT: 'false' }],
    ['ignored endpoint variables', { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' }],
    ['a GovCloud region', { AWS_REGION: 'us-gov-west-1' }],
    ['an ISO region', { AWS_REGION: 'us-iso-east-1' }],
  ] as Array<[string, Record<string, string>]>)('leaves %s to the SDK and takes its answer', async (_label, variables) => {
    const connection = await resolveAwsConnection(service, {}, environment(variables));
    expect(connection.source).toBe('sdk');
    expect(connection.endpoint).toBe(await sdkEndpoint(sdkConfig()));
    if (variables.AWS_USE_FIPS_ENDPOINT === 'true') expect(connection.endpoint).toContain(`${service.endpointPrefix}-fips.`);
    if ('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS' in variables) expect(connection.endpoint).toBe(`https://${service.endpointPrefix}.eu-west-1.amazonaws.com/`);
    expect(await connection.credentials()).toMatchObject({ accessKeyId: ROLE.AWS_ACCESS_KEY_ID });
  });

  it('leaves a shared config file to the SDK, which may name the endpoint', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aws-config-')), 'config');
    writeFileSync(file, '[default]\nendpoint_url = http://127.0.0.1:4567\n');
    const connection = await resolveAwsConnection(service, {}, environment({ AWS_CONFIG_FILE: file }));
    expect(connection).toMatchObject({ source: 'sdk', endpoint: 'http://127.0.0.1:4567' });
  });

  it('uses what is given over the environment, and needs nothing else when all is given', async () => {
    const given = { endpoint: 'http://127.0.0.1:1', region: 'ap-south-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } };
    const connection = await resolveAwsConnection(service, given, environment({ AWS_PROFILE: 'someone' }));
    expect(connection).toMatchObject({ endpoint: given.endpoint, region: given.region, source: 'given' });
    expect(await connection.credentials()).toEqual(given.credentials);
    const partly = await resolveAwsConnection(service, { region: 'ap-south-1' }, environment());
    expect(partly).toMatchObject({ source: 'environment', region: 'ap-south-1', endpoint: `https://${service.endpointPrefix}.ap-south-1.amazonaws.com` });
  });
});

describe('the environment alone', () => {
  const failing: AwsService = {
    id: 'Secrets Manager',
    endpointPrefix: 'secretsmanager',
    sdkConfig: () => Promise.reject(new Error('the SDK path was taken')),
  };

  it('does not settle it without credentials, with a profile, or with AWS_DEFAULT_REGION alone (the JS SDK ignores it)', async () => {
    for (const env of [
      environment({ AWS_ACCESS_KEY_ID: '' }),
      environment({ AWS_PROFILE: 'dev' }),
      { ...environment(), AWS_REGION: undefined },
    ]) {
      await expect(resolveAwsConnection(failing, {}, env)).rejects.toThrow('the SDK path was taken');
    }
    const withoutRegion = { ...environment(), AWS_REGION: undefined };
    process.env = withoutRegion;
    await expect(new SecretsManagerClient({}).config.region()).rejects.toThrow(/Region is missing/);
  });

  it('reads the credential variables as the chain does: not under a profile, no empty session token', () => {
    expect(credentialsFromEnvironment({ ...ROLE, AWS_PROFILE: 'dev' })).toBeUndefined();
    expect(credentialsFromEnvironment({ ...ROLE, AWS_SESSION_TOKEN: '' })).toEqual({ accessKeyId: ROLE.AWS_ACCESS_KEY_ID, secretAccessKey: ROLE.AWS_SECRET_ACCESS_KEY, sessionToken: undefined });
    expect(credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'AKID' })).toBeUndefined();
  });
});
