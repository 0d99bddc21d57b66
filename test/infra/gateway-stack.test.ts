/**
 * The deployed shape of the gateway with default props (issues 2, 4, 6): synthesized once, with the
 * real esbuild bundle, and asserted resource by resource. The function's asset is the code-split
 * bundle (`index.mjs` + `chunks/`); one request is driven through it in a separate Node process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BundleReport, bundleHandler } from '../../infra/bundle.ts';
import { BUNDLE_BANNER } from '../../infra/bundling-options.ts';
import { fakeAwsEnv, startFakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { json, startFakeUpstream } from '../fakes/fake-upstream.ts';
import { expectedTableStatements } from './expected-table-statements.ts';
import { functionPolicyStatements, statementResources, synthesizeGateway, TEST_ENV } from './synthesize-gateway.ts';

let template: Template;
let assetDirectory: string;
let measuredDirectory: string;
let measured: BundleReport;

beforeAll(async () => {
  const synthesized = synthesizeGateway({}, { bundle: true });
  template = synthesized.template;
  const assembly = synthesized.app.synth();
  const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
  const bundled = assets.find((name) => existsSync(join(assembly.directory, name, 'index.mjs')));
  if (!bundled) throw new Error(`no bundled asset in ${assembly.directory}: ${assets.join(', ')}`);
  assetDirectory = join(assembly.directory, bundled);
  // Right after the synth, so both builds see the same sources.
  measuredDirectory = mkdtempSync(join(tmpdir(), 'gateway-bundle-'));
  measured = await bundleHandler({ outputFile: join(measuredDirectory, 'handler.mjs') });
});

/**
 * The function's environment variables, as the template sets them; those that name a resource of
 * the stack (a `Ref`, known only at deploy time) are left out.
 */
function functionEnvironment(): Record<string, string> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  const variables = Object.entries(fn!.Properties.Environment.Variables as Record<string, unknown>);
  return Object.fromEntries(variables.filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The asset's JavaScript files, relative to its folder: `index.mjs` and `chunks/*.mjs`. */
function assetScripts(): string[] {
  const chunks = readdirSync(join(assetDirectory, 'chunks')).filter((name) => name.endsWith('.mjs'));
  return ['index.mjs', ...chunks.map((name) => `chunks/${name}`)];
}

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

  test('throttles every method of the stage: 50 requests a second, bursts of 100', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
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
      GATEWAY_BEDROCK_REGIONS: TEST_ENV.region,
      GATEWAY_METRICS: 'emf',
      GATEWAY_TABLE: { Ref: expect.stringMatching(/^GatewayTable/) },
    });
  });

  test('names the gateway table and may get and update its items, and put only cache items, on that table only', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn!.Properties.Environment.Variables.GATEWAY_TABLE).toEqual({ Ref: tableId });
    const tableStatements = functionPolicyStatements(template).filter((statement) => JSON.stringify(statement).includes('dynamodb:'));
    expect(tableStatements).toEqual(expectedTableStatements(tableId!));
  });

  test('has reserved concurrency, so 15-minute calls cannot take the whole account', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 100 });
  });

  test('logs to its own log group with retention', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const logGroupId = fn!.Properties.LoggingConfig.LogGroup.Ref as string;
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 } });
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]!.Properties.RetentionInDays).toBe(30);
  });

  test('runs as its own role with no managed policy: it writes logs to its own log group only', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const roleId = fn!.Properties.Role['Fn::GetAtt'][0] as string;
    const role = template.findResources('AWS::IAM::Role')[roleId]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');

    const logGroupId = fn!.Properties.LoggingConfig.LogGroup.Ref as string;
    const logs = functionPolicyStatements(template).filter((statement) => JSON.stringify(statement.Action).includes('logs:'));
    expect(logs).toEqual([
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    ]);
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
    expect(bedrock.map((statement) => statement.Sid)).toEqual(['InvokeBedrockModels', 'InvokeBedrockModelsThroughProfiles']);
    for (const statement of bedrock) expect(statement.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
    const [direct, throughProfiles] = bedrock.map((statement) => statement.Resource as string[]) as [string[], string[]];
    const resources = [...direct, ...throughProfiles];
    for (const family of ['anthropic.claude-*', 'meta.llama*', 'mistral.*', 'amazon.nova-*', 'amazon.titan-text-*', 'cohere.command-r*', 'deepseek.*']) {
      // Directly only in the stack's region; in any region only through an inference profile (below).
      expect(direct).toContain(`arn:aws:bedrock:${TEST_ENV.region}::foundation-model/${family}`);
      expect(throughProfiles).toContain(`arn:aws:bedrock:*::foundation-model/${family}`);
      expect(direct).toContain(`arn:aws:bedrock:${TEST_ENV.region}:${TEST_ENV.account}:inference-profile/us.${family}`);
    }
    for (const resource of resources) {
      // A `*` may follow a vendor name, never stand for a whole model id or vendor.
      expect(resource).toMatch(
        new RegExp(`^arn:aws:bedrock:(\\*::foundation-model|${TEST_ENV.region}::foundation-model|${TEST_ENV.region}:${TEST_ENV.account}:inference-profile)/(?:[a-z]+\\.)?[a-z0-9-]+\\.[^*]*\\*?$`),
      );
      expect(resource).not.toMatch(/\/\*$/);
    }
  });

  test('reach a model in another region only through a listed inference profile', () => {
    const statements = functionPolicyStatements(template);
    const direct = statements.find((statement) => statement.Sid === 'InvokeBedrockModels')!;
    const throughProfiles = statements.find((statement) => statement.Sid === 'InvokeBedrockModelsThroughProfiles')!;
    // No unconditional grant names a region other than the stack's.
    expect(direct.Condition).toBeUndefined();
    for (const resource of direct.Resource as string[]) expect(resource.split(':')[3]).toBe(TEST_ENV.region);
    // The any-region grant holds only when the call names one of the profiles granted in the stack's region.
    const profiles = (direct.Resource as string[]).filter((resource) => resource.includes(':inference-profile/'));
    expect(profiles).toHaveLength(28);
    expect(throughProfiles.Condition).toEqual({ StringLike: { 'bedrock:InferenceProfileArn': expect.arrayContaining(profiles) } });
    expect((throughProfiles.Condition as { StringLike: Record<string, string[]> }).StringLike['bedrock:InferenceProfileArn']).toHaveLength(profiles.length);
  });
});

describe('bundle', () => {
  /** The chunk the entry imports statically: the handler's code. */
  function importedChunk(): string {
    const imported = [...readFileSync(join(assetDirectory, 'index.mjs'), 'utf8').matchAll(/\bfrom\s*"\.\/(chunks\/[^"]+\.mjs)"/g)].map((match) => match[1]!);
    expect(imported).toHaveLength(1);
    return imported[0]!;
  }

  test('is the code-split layout: the entry, and the AWS SDK in chunks beside it', () => {
    const code = readFileSync(join(assetDirectory, 'index.mjs'), 'utf8');
    expect(code).toMatch(/\bexport\s*\{[^}]*\bas handler\b|\bexport\s*\{\s*handler\b/);
    // The entry re-exports the one chunk that holds what loads at import (infra/lazy-entries-import-handler.ts).
    expect(readFileSync(join(assetDirectory, importedChunk()), 'utf8')).toMatch(/import\("\.\/[^"]+\.mjs"\)/);
    // The Secrets Manager client is reached only through import(): none of it is in the entry.
    const sdkMarker = 'SecretsManagerServiceException';
    expect(code).not.toContain(sdkMarker);
    const holders = assetScripts().filter((script) => readFileSync(join(assetDirectory, script), 'utf8').includes(sdkMarker));
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatch(/^chunks\//);
    expect(readdirSync(assetDirectory).filter((name) => !['index.mjs', 'index.mjs.map', 'chunks'].includes(name))).toEqual([]);
  });

  test('is minified ESM with the require banner in every file that says `require`, source maps without sources, and no npm import left', () => {
    const withBanner: string[] = [];
    for (const script of assetScripts()) {
      const code = readFileSync(join(assetDirectory, script), 'utf8');
      // Chunks included: a chunk of CommonJS code needs its own `require`. A file that never says
      // `require` has none to make (its first line is left empty, so its source map still fits).
      const hasBanner = code.startsWith(BUNDLE_BANNER);
      expect(hasBanner, script).toBe(/\brequire\b/.test(code.slice(hasBanner ? BUNDLE_BANNER.length : 0)));
      if (hasBanner) withBanner.push(script);
      else expect(code.startsWith('\n'), script).toBe(true);
      // The tokenizer's rank table (lib/usage/estimate-tokens.ts, loaded lazily) is one string of
      // ~100k lines: esbuild writes a string holding newlines as a template literal. Its code is
      // minified all the same: no line of it is indented.
      if (/\/cl100k_base-[\w-]+\.mjs$/.test(script)) expect(code, script).not.toMatch(/\n[ \t]+[\w"'`{}()]/);
      else expect(code.split('\n').length, script).toBeLessThan(200);
      // Nothing is left for the runtime to provide: no bare import of an npm package remains.
      expect(code, script).not.toMatch(/\bfrom\s*"(?!node:|\.\/)[@a-z][^"]*"/);
      const map = JSON.parse(readFileSync(join(assetDirectory, `${script}.map`), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sourcesContent, script).toBeUndefined();
    }
    // The entry makes no `require` at load; chunks mentioning one (e.g. in an SDK message) keep theirs.
    expect(withBanner).not.toContain('index.mjs');
    expect(withBanner.length).toBeGreaterThan(0);
    const entryMap = JSON.parse(readFileSync(join(assetDirectory, `${importedChunk()}.map`), 'utf8')) as { sources: string[] };
    // Sources are named relative to the repository, not to where CDK staged the build.
    expect(entryMap.sources).toContain('../../functions/completions/handler.ts');
  });

  test('names every error class in the minified code, so logs name errors (`"error":"UpstreamError"`, not `"w"`)', () => {
    const code = assetScripts().map((script) => readFileSync(join(assetDirectory, script), 'utf8')).join('\n');
    const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
    // Every class of lib/ that descends from GatewayError (which named itself from `new.target.name`
    // while the bundle kept names), found in the sources so that a new one is checked too.
    const parents = new Map<string, string>();
    const abstract = new Set<string>();
    const sources = readdirSync(join(projectRoot, 'lib'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    for (const file of sources) {
      for (const match of readFileSync(join(projectRoot, 'lib', file), 'utf8').matchAll(/^(?:export )?(abstract )?class (\w+) extends (\w+)/gm)) {
        parents.set(match[2]!, match[3]!);
        if (match[1]) abstract.add(match[2]!);
      }
    }
    const descendsFromGatewayError = (name: string): boolean => name === 'GatewayError' || (parents.has(name) && descendsFromGatewayError(parents.get(name)!));
    const errorClasses = [...parents.keys()].filter((name) => descendsFromGatewayError(name) && !abstract.has(name));
    expect(errorClasses).toEqual(expect.arrayContaining(['GatewayError', 'InvalidRequestError', 'UpstreamError', 'UpstreamBodyError', 'TargetUnavailableError', 'RateLimitExceededError']));
    // Minified, `override readonly name: string = 'UpstreamError'` is the class field `name="UpstreamError"`.
    for (const name of errorClasses) expect(code, name).toMatch(new RegExp(`[{;]name="${name}"[;}]`));
  });

  test('is byte for byte what `npm run bundle` builds and measures, entry and chunks', () => {
    const withoutMapComment = (code: string) => code.replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
    const deployedEntry = withoutMapComment(readFileSync(join(assetDirectory, 'index.mjs'), 'utf8'));
    const measuredEntry = withoutMapComment(readFileSync(join(measuredDirectory, 'handler.mjs'), 'utf8'));
    expect(measuredEntry.length).toBe(deployedEntry.length);
    expect(measuredEntry === deployedEntry).toBe(true);
    expect(measured.chunks).toEqual(assetScripts().slice(1).sort());
    for (const chunk of measured.chunks) {
      const same = readFileSync(join(measuredDirectory, chunk)).equals(readFileSync(join(assetDirectory, chunk)));
      expect(same, chunk).toBe(true);
    }
  });

  describe('run from the asset folder by Node', () => {
    const upstreamAnswer = {
      id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
      object: 'text_completion',
      created: 1589478378,
      model: 'gpt-3.5-turbo-instruct',
      choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    };
    const storedKey = 'sk-proj-STORED-7c6235b4d2611184';
    let child: ChildProcess | undefined;
    const closers: Array<() => Promise<void>> = [];

    afterAll(async () => {
      child?.kill();
      for (const close of closers) await close();
    });

    test('serves a virtual-key request: the handler loads, and the Secrets Manager client loads from its chunk', async () => {
      const secrets = await startFakeSecretsManager();
      closers.push(() => secrets.close());
      const upstream = await startFakeUpstream(json(200, upstreamAnswer));
      closers.push(() => upstream.close());
      secrets.put('llm-gateway/team-a', { provider: 'openai', api_key: storedKey, custom_host: `${upstream.url}/v1` });

      const server = fileURLToPath(new URL('./serve-bundled-handler.ts', import.meta.url));
      child = spawn(process.execPath, ['--import', 'tsx', server, join(assetDirectory, 'index.mjs')], {
        // The function's own environment (as the stack sets it), plus the loopback AWS endpoint.
        env: {
          PATH: process.env.PATH,
          LOG_LEVEL: 'silent',
          ...functionEnvironment(),
          ...fakeAwsEnv(secrets),
        },
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = await new Promise<number>((resolve, reject) => {
        let output = '';
        let errors = '';
        child!.stdout!.on('data', (data: Buffer) => {
          output += data.toString();
          const match = /\{"port":(\d+)\}/.exec(output);
          if (match) resolve(Number(match[1]));
        });
        child!.stderr!.on('data', (data: Buffer) => (errors += data.toString()));
        child!.once('exit', (code) => reject(new Error(`the bundled handler exited (${code}): ${errors}`)));
      });

      const client = new OpenAI({
        apiKey: 'not-a-provider-key',
        baseURL: `http://127.0.0.1:${port}/v1`,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-virtual-key': 'team-a' },
      });
      const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' });

      expect(completion.choices[0]!.text).toBe('\n\nThis is indeed a test');
      expect(secrets.calls.get('llm-gateway/team-a')).toBe(1);
      expect(secrets.requests[0]).toMatchObject({ target: 'secretsmanager.GetSecretValue', signed: true });
      expect(upstream.received).toHaveLength(1);
      expect(upstream.received[0]!.headers.authorization).toBe(`Bearer ${storedKey}`);
    }, 30_000);
  });
});
