/**
 * The stack props change exactly what they name: callers, secrets scope, KMS, Bedrock models and
 * regions, custom hosts, limits. Bundling is skipped here (see synthesize-gateway.ts); each case synthesizes in ms.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_BEDROCK_MODELS } from '../../infra/grant-bedrock-access.ts';
import { functionPolicyStatements, statementResources, synthesizeGateway, TEST_ENV } from './synthesize-gateway.ts';

const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const KMS_KEY_ARN = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function resourcePolicy(props: Parameters<typeof synthesizeGateway>[0]): Array<Record<string, unknown>> {
  const { template } = synthesizeGateway(props);
  const [api] = Object.values(template.findResources('AWS::ApiGateway::RestApi'));
  return api!.Properties.Policy.Statement as Array<Record<string, unknown>>;
}

function environment(props: Parameters<typeof synthesizeGateway>[0]): Record<string, string> {
  const { template } = synthesizeGateway(props);
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  return fn!.Properties.Environment.Variables as Record<string, string>;
}

describe('resource policy', () => {
  test('admits the listed accounts and denies every other', () => {
    const statements = resourcePolicy({ allowedAccountIds: ['111111111111', '222222222222'] });
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } },
      }),
    ]);
  });

  test('admits an organization alone, without the stack account', () => {
    const statements = resourcePolicy({ allowedOrganizationId: ORGANIZATION_ID });
    expect(statements).toEqual([
      {
        Sid: 'AllowOrganization',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
      },
      {
        Sid: 'DenyEveryoneElse',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
      },
    ]);
    expect(JSON.stringify(statements)).not.toContain(TEST_ENV.account);
  });

  test('admits accounts or an organization: denied only when neither matches', () => {
    const statements = resourcePolicy({ allowedAccountIds: ['111111111111'], allowedOrganizationId: ORGANIZATION_ID });
    expect(statements.map((statement) => statement.Sid)).toEqual(['AllowListedAccounts', 'AllowOrganization', 'DenyEveryoneElse']);
    expect(statements[2]!.Condition).toEqual({
      StringNotEquals: { 'aws:PrincipalAccount': ['111111111111'], 'aws:PrincipalOrgID': ORGANIZATION_ID },
    });
  });

  test('refuses malformed ids and an empty list', () => {
    expect(() => synthesizeGateway({ allowedAccountIds: ['12345'] })).toThrow(/12-digit/);
    expect(() => synthesizeGateway({ allowedOrganizationId: 'my-org' })).toThrow(/Organization id/);
    expect(() => synthesizeGateway({ allowedAccountIds: [] })).toThrow(/lock everyone out/);
  });
});

describe('secrets', () => {
  test('prefix and TTL reach both the policy and the environment', () => {
    const { template } = synthesizeGateway({ secretsPrefix: 'team-a/llm/', secretsTtlSeconds: 60 });
    const secrets = functionPolicyStatements(template).filter((statement) => statement.Sid === 'ReadGatewaySecrets');
    expect(secrets).toEqual([
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:${TEST_ENV.region}:${TEST_ENV.account}:secret:team-a/llm/*`,
      }),
    ]);
    expect(environment({ secretsPrefix: 'team-a/llm/', secretsTtlSeconds: 60 })).toMatchObject({
      GATEWAY_SECRETS_PREFIX: 'team-a/llm/',
      GATEWAY_SECRETS_TTL_SECONDS: '60',
    });
  });

  test('a prefix that would widen the grant is refused', () => {
    expect(() => synthesizeGateway({ secretsPrefix: '' })).toThrow(/every secret/);
    expect(() => synthesizeGateway({ secretsPrefix: '*' })).toThrow(/wildcards/);
    expect(() => synthesizeGateway({ secretsPrefix: 'llm-*' })).toThrow(/wildcards/);
    expect(() => synthesizeGateway({ secretsTtlSeconds: -1 })).toThrow(/secretsTtlSeconds/);
  });

  test('a prefix must end in "/": "llm" would also grant llm-billing/… and llmops/…', () => {
    for (const prefix of ['llm', 'llm-gateway', 'team-a/llm', 'llm-gateway/*/', '/', 'llm gateway/']) {
      expect(() => synthesizeGateway({ secretsPrefix: prefix }), prefix).toThrow(/secretsPrefix .* must be a secret name prefix ending in "\/"/);
    }
    for (const prefix of ['llm/', 'team-a/llm-gateway/', 'a.b@c+d=e_f-g/']) expect(() => synthesizeGateway({ secretsPrefix: prefix }), prefix).not.toThrow();
  });

  test('a KMS key gets kms:Decrypt through Secrets Manager only', () => {
    const { template } = synthesizeGateway({ kmsKeyArn: KMS_KEY_ARN });
    const kms = functionPolicyStatements(template).filter((statement) => JSON.stringify(statement.Action).includes('kms:'));
    expect(kms).toEqual([
      {
        Sid: 'DecryptGatewaySecrets',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KMS_KEY_ARN,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${TEST_ENV.region}.amazonaws.com` } },
      },
    ]);
  });

  test('a KMS alias or garbage is refused', () => {
    expect(() => synthesizeGateway({ kmsKeyArn: 'alias/llm-gateway' })).toThrow(/KMS key ARN/);
    expect(() => synthesizeGateway({ kmsKeyArn: `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:alias/x` })).toThrow(/KMS key ARN/);
  });
});

describe('Bedrock models', () => {
  function bedrockStatement(props: Parameters<typeof synthesizeGateway>[0], sid: string): Record<string, unknown> | undefined {
    const { template } = synthesizeGateway(props);
    return functionPolicyStatements(template).find((candidate) => candidate.Sid === sid);
  }
  function bedrockResources(models: string[], sid = 'InvokeBedrockModels', props: Parameters<typeof synthesizeGateway>[0] = {}): string[] | undefined {
    const statement = bedrockStatement({ ...props, bedrockModels: models }, sid);
    // CDK sorts the resources of a statement; the set is what matters.
    return statement === undefined ? undefined : (statementResources([statement]) as string[]).sort();
  }

  test('models, profiles and ARNs become exactly their resources', () => {
    const applicationProfile = `arn:aws:bedrock:${TEST_ENV.region}:${TEST_ENV.account}:application-inference-profile/a1b2c3d4e5f6`;
    const models = ['anthropic.claude-3-haiku-20240307-v1:0', 'us.meta.llama3-1-8b-instruct-v1:0', applicationProfile];
    const profile = `arn:aws:bedrock:${TEST_ENV.region}:${TEST_ENV.account}:inference-profile/us.meta.llama3-1-8b-instruct-v1:0`;
    expect(bedrockResources(models)).toEqual(
      [`arn:aws:bedrock:${TEST_ENV.region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`, profile, applicationProfile].sort(),
    );
    const throughProfiles = bedrockStatement({ bedrockModels: models }, 'InvokeBedrockModelsThroughProfiles')!;
    expect((statementResources([throughProfiles]) as string[]).sort()).toEqual([
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      'arn:aws:bedrock:*::foundation-model/meta.llama3-1-8b-instruct-v1:0',
    ]);
    expect(throughProfiles.Condition).toEqual({ StringLike: { 'bedrock:InferenceProfileArn': [profile, applicationProfile] } });
  });

  test('an empty list grants no Bedrock access at all', () => {
    expect(bedrockResources([])).toBeUndefined();
    expect(bedrockResources([], 'InvokeBedrockModelsThroughProfiles')).toBeUndefined();
  });

  test('models alone, without profiles, are granted in the allowed regions and nowhere else', () => {
    expect(bedrockResources(['mistral.*'])).toEqual([`arn:aws:bedrock:${TEST_ENV.region}::foundation-model/mistral.*`]);
    expect(bedrockResources(['mistral.*'], 'InvokeBedrockModelsThroughProfiles')).toBeUndefined();
  });

  test('bedrockRegions sets the regions of IAM and of the gateway (GATEWAY_BEDROCK_REGIONS)', () => {
    const props = { bedrockRegions: ['eu-central-1', 'eu-west-3'] };
    expect(bedrockResources(['mistral.*', 'eu.mistral.*'], 'InvokeBedrockModels', props)).toEqual(
      [
        'arn:aws:bedrock:eu-central-1::foundation-model/mistral.*',
        'arn:aws:bedrock:eu-west-3::foundation-model/mistral.*',
        `arn:aws:bedrock:eu-central-1:${TEST_ENV.account}:inference-profile/eu.mistral.*`,
        `arn:aws:bedrock:eu-west-3:${TEST_ENV.account}:inference-profile/eu.mistral.*`,
      ].sort(),
    );
    // Not even the stack's own region when it is not listed.
    expect(JSON.stringify(bedrockStatement({ ...props, bedrockModels: ['mistral.*'] }, 'InvokeBedrockModels'))).not.toContain(TEST_ENV.region);
    expect(environment(props).GATEWAY_BEDROCK_REGIONS).toBe('eu-central-1,eu-west-3');
  });

  test('by default the regions are the stack\u2019s and those of the listed ARNs', () => {
    const otherRegionProfile = `arn:aws:bedrock:us-west-2:${TEST_ENV.account}:application-inference-profile/z9y8x7w6v5u4`;
    expect(environment({ bedrockModels: ['mistral.*', otherRegionProfile] }).GATEWAY_BEDROCK_REGIONS).toBe(`${TEST_ENV.region},us-west-2`);
    expect(bedrockResources(['mistral.*', otherRegionProfile])).toEqual(
      [otherRegionProfile, `arn:aws:bedrock:${TEST_ENV.region}::foundation-model/mistral.*`, 'arn:aws:bedrock:us-west-2::foundation-model/mistral.*'].sort(),
    );
    expect(environment({ bedrockModels: [] }).GATEWAY_BEDROCK_REGIONS).toBe(TEST_ENV.region);
  });

  test('a region that is no region, an empty list, or an ARN outside the list is refused', () => {
    for (const region of ['*', 'eu-*', 'EU-WEST-1', '', 'us-east-1 ', 'arn:aws:bedrock:us-east-1']) {
      expect(() => synthesizeGateway({ bedrockRegions: [region] }), region).toThrow(/bedrockRegions entry/);
    }
    expect(() => synthesizeGateway({ bedrockRegions: [] })).toThrow(/at least one region/);
    const otherRegionProfile = `arn:aws:bedrock:us-west-2:${TEST_ENV.account}:application-inference-profile/z9y8x7w6v5u4`;
    expect(() => synthesizeGateway({ bedrockRegions: ['eu-west-1'], bedrockModels: [otherRegionProfile] })).toThrow(/not one of bedrockRegions/);
  });

  test('wildcards over whole vendors or ids are refused', () => {
    for (const model of ['*', '*.claude-v2', 'us.*', 'anthropic', 'arn:aws:s3:::bucket/key']) {
      expect(() => synthesizeGateway({ bedrockModels: [model] }), model).toThrow(/bedrockModels entry/);
    }
  });

  test('the default list covers every family the gateway speaks, directly and through profiles', () => {
    expect(DEFAULT_BEDROCK_MODELS).toEqual(expect.arrayContaining(['anthropic.claude-*', 'us.anthropic.claude-*', 'global.anthropic.claude-*', 'eu.amazon.nova-*']));
    // A vendor (after an optional geography) always comes first; `*` never stands for it.
    for (const model of DEFAULT_BEDROCK_MODELS) expect(model).toMatch(/^(?:[a-z]+\.)?[a-z0-9-]+\.[a-z0-9*-]+/);
  });
});

describe('function settings', () => {
  test('allowed custom hosts become a comma list', () => {
    expect(environment({ allowedCustomHosts: ['vllm.internal:8000', '*.example.com'] }).GATEWAY_ALLOWED_CUSTOM_HOSTS).toBe(
      'vllm.internal:8000,*.example.com',
    );
  });

  test('source maps in stack traces are opt-in', () => {
    expect(environment({}).NODE_OPTIONS).toBeUndefined();
    expect(environment({ enableSourceMaps: true }).NODE_OPTIONS).toBe('--enable-source-maps');
  });

  test('reserved concurrency and stage throttling follow their props', () => {
    const { template } = synthesizeGateway({ reservedConcurrency: 20, throttlingRateLimit: 2.5, throttlingBurstLimit: 10 });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 20 });
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage!.Properties.MethodSettings).toEqual([expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 2.5, ThrottlingBurstLimit: 10 })]);
  });

  test('a limit of 0, below 0, fractional where whole, or not a number is refused', () => {
    for (const reservedConcurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => synthesizeGateway({ reservedConcurrency }), String(reservedConcurrency)).toThrow(/reservedConcurrency must be/);
    }
    for (const throttlingBurstLimit of [0, -5, 2.5]) {
      expect(() => synthesizeGateway({ throttlingBurstLimit }), String(throttlingBurstLimit)).toThrow(/throttlingBurstLimit must be/);
    }
    for (const throttlingRateLimit of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => synthesizeGateway({ throttlingRateLimit }), String(throttlingRateLimit)).toThrow(/throttlingRateLimit must be/);
    }
  });

  test('the account-wide API Gateway logging role can be left out', () => {
    const { template } = synthesizeGateway({ createApiGatewayCloudWatchRole: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });
});
