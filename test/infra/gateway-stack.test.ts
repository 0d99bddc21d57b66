/**
 * The deployed shape of the gateway with default props (issues 2, 4, 6): synthesized once, with the
 * real esbuild bundle, and asserted resource by resource.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundleHandler } from '../../infra/bundle.ts';
import { BUNDLE_BANNER } from '../../infra/bundling-options.ts';
import { functionPolicyStatements, statementResources, synthesizeGateway, TEST_ENV } from './synthesize-gateway.ts';

let template: Template;
let assetDirectory: string;
let measuredBundle: string;

beforeAll(async () => {
  const synthesized = synthesizeGateway({}, { bundle: true });
  template = synthesized.template;
  const assembly = synthesized.app.synth();
  const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
  const bundled = assets.find((name) => existsSync(join(assembly.directory, name, 'index.mjs')));
  if (!bundled) throw new Error(`no bundled asset in ${assembly.directory}: ${assets.join(', ')}`);
  assetDirectory = join(assembly.directory, bundled);
  // Right after the synth, so both builds see the same sources.
  measuredBundle = join(mkdtempSync(join(tmpdir(), 'gateway-bundle-')), 'handler.mjs');
  await bundleHandler({ outputFile: measuredBundle });
});

describe('API Gateway', () => {
  test('is one REGIONAL REST API', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  test('requires IAM auth on every method', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  test('serves POST /v1/completions from the function, streamed, with a 15-minute timeout', () => {
    const completions = template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'completions' } });
    expect(Object.keys(completions)).toHaveLength(1);
    const [completionsId] = Object.keys(completions);

    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      ResourceId: { Ref: completionsId },
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        ResponseTransferMode: 'STREAM',
        TimeoutInMillis: 900000,
        // Streaming goes through Lambda's InvokeWithResponseStream API, not Invoke.
        Uri: {
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('2021-11-15/functions/$'), '/response-streaming-invocations'])],
        },
      },
    });
  });

  test('admits only the stack\u2019s own account by default', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: [
          {
            Sid: 'AllowListedAccounts',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
          },
          {
            Sid: 'DenyEveryoneElse',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { StringNotEquals: { 'aws:PrincipalAccount': [TEST_ENV.account] } },
          },
        ],
      },
    });
  });

  test('writes JSON access logs to a log group with retention, and no request bodies', () => {
    const accessLogs = template.findResources('AWS::Logs::LogGroup');
    const accessLogId = Object.keys(accessLogs).find((id) => id.startsWith('ApiAccessLogs'));
    expect(accessLogId).toBeDefined();
    expect(accessLogs[accessLogId!]!.Properties.RetentionInDays).toBe(30);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [Match.objectLike({ DataTraceEnabled: false, LoggingLevel: 'ERROR' })],
    });
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(JSON.stringify(stage!.Properties.AccessLogSetting.DestinationArn)).toContain(accessLogId);
    const format = JSON.parse(stage!.Properties.AccessLogSetting.Format as string) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      userArn: '$context.identity.userArn',
      integrationLatency: '$context.integrationLatency',
    });
  });

  test('outputs the URL of /v1/completions', () => {
    const outputs = template.findOutputs('CompletionsUrl');
    const joined = outputs.CompletionsUrl!.Value['Fn::Join'][1] as unknown[];
    expect(joined.at(-1)).toBe('/v1/completions');
    expect(joined).toContain(`.execute-api.${TEST_ENV.region}.`);
  });
});

describe('Lambda function', () => {
  test('runs nodejs24.x on arm64 with a 15-minute timeout', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 900,
      Handler: 'index.handler',
    });
  });

  test('gets the key settings as environment variables, and no AWS_REGION of ours', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn!.Properties.Environment.Variables).toEqual({
      GATEWAY_KEY_SOURCE: 'secretsmanager',
      GATEWAY_SECRETS_PREFIX: 'llm-gateway/',
      GATEWAY_SECRETS_TTL_SECONDS: '300',
      GATEWAY_ALLOWED_CUSTOM_HOSTS: '',
    });
  });

  test('logs to its own log group with retention', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const logGroupId = fn!.Properties.LoggingConfig.LogGroup.Ref as string;
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 } });
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]!.Properties.RetentionInDays).toBe(30);
  });
});

describe('function permissions', () => {
  test('read only secrets under the prefix, in its own account and region', () => {
    const statements = functionPolicyStatements(template);
    const secrets = statements.filter((statement) => JSON.stringify(statement.Action).includes('secretsmanager:'));
    expect(secrets).toEqual([
      {
        Sid: 'ReadGatewaySecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:${TEST_ENV.region}:${TEST_ENV.account}:secret:llm-gateway/*`,
      },
    ]);
  });

  test('never name `*` as a resource, and have no KMS grant without a key', () => {
    const statements = functionPolicyStatements(template);
    expect(statementResources(statements)).not.toContain('*');
    expect(JSON.stringify(statements)).not.toContain('kms:');
  });

  test('invoke only the listed Bedrock model families and their inference profiles', () => {
    const statements = functionPolicyStatements(template);
    const bedrock = statements.filter((statement) => JSON.stringify(statement.Action).includes('bedrock:'));
    expect(bedrock).toHaveLength(1);
    expect(bedrock[0]!.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
    const resources = bedrock[0]!.Resource as string[];
    for (const family of ['anthropic.claude-*', 'meta.llama*', 'mistral.*', 'amazon.nova-*', 'amazon.titan-text-*', 'cohere.command-r*', 'deepseek.*']) {
      expect(resources).toContain(`arn:aws:bedrock:*::foundation-model/${family}`);
      expect(resources).toContain(`arn:aws:bedrock:${TEST_ENV.region}:${TEST_ENV.account}:inference-profile/us.${family}`);
    }
    for (const resource of resources) {
      // A `*` may follow a vendor name, never stand for a whole model id or vendor.
      expect(resource).toMatch(
        new RegExp(`^arn:aws:bedrock:(\\*::foundation-model|${TEST_ENV.region}:${TEST_ENV.account}:inference-profile)/(?:[a-z]+\\.)?[a-z0-9-]+\\.[^*]*\\*?$`),
      );
      expect(resource).not.toMatch(/\/\*$/);
    }
  });
});

describe('bundle', () => {
  test('is minified ESM with the require banner, a source map without sources, and the AWS SDK inside', () => {
    const code = readFileSync(join(assetDirectory, 'index.mjs'), 'utf8');
    expect(code.startsWith(BUNDLE_BANNER)).toBe(true);
    expect(code).toMatch(/\bexport\s*\{[^}]*\bas handler\b|\bexport\s*\{\s*handler\b/);
    expect(code.split('\n').length).toBeLessThan(200);
    // Nothing is left for the runtime to provide: no bare import of an npm package remains.
    expect(code).not.toMatch(/\bfrom\s*"(?!node:)[@a-z][^"]*"/);
    const map = JSON.parse(readFileSync(join(assetDirectory, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith('functions/completions/handler.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  test('is byte for byte what `npm run bundle` builds and measures', () => {
    const withoutMapComment = (code: string) => code.replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
    const deployed = withoutMapComment(readFileSync(join(assetDirectory, 'index.mjs'), 'utf8'));
    const measured = withoutMapComment(readFileSync(measuredBundle, 'utf8'));
    expect(measured.length).toBe(deployed.length);
    expect(measured === deployed).toBe(true);
  });

  test('loads in Node as an ES module and exports the streaming handler', () => {
    const script = [
      // The Lambda runtime provides `awslambda`; a stand-in is enough to load the module.
      'globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };',
      `const module = await import(${JSON.stringify(join(assetDirectory, 'index.mjs'))});`,
      'process.stdout.write(typeof module.handler);',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(output).toBe('function');
  });
});
