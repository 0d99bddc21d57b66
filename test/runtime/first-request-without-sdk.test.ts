/**
 * A cold start's first request does not load the AWS SDK: under the real Lambda runtime, with the
 * environment Lambda gives (the role's credentials, the region) and the stack's, the deployed asset
 * reads the limits document and a virtual key from Secrets Manager and counts the request in its
 * DynamoDB table (lib/aws/resolve-aws-connection.ts, lib/aws/aws-json-call.ts). The probe: every
 * chunk built from `@aws-sdk/*` or `@smithy/*` (named by its source map) is replaced by one that
 * throws when loaded, so a single import of the SDK fails the read it served.
 *
 * Needs `bash tools/lambda-runtime/install.sh`; skips without it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/local-server.ts';
import { startLambdaRuntimeProcess, type LambdaRuntimeProcess } from '../../lib/local/runtime-api/lambda-runtime-process.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { startDynalite, TEST_TABLE, type Dynalite } from '../support/dynalite.ts';
import { synthesizeDeployedAsset } from './support/deployed-asset.ts';
import { lambdaRuntime } from './support/lambda-runtime-install.ts';

const CALLER = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-a-app/session-1', accountId: '111122223333' };

/** Copies the asset and makes each AWS SDK chunk throw on load; returns the folder and the chunks replaced. */
function assetWithoutSdk(directory: string): { directory: string; replaced: string[] } {
  const copy = join(mkdtempSync(join(tmpdir(), 'asset-without-sdk-')), 'asset');
  cpSync(directory, copy, { recursive: true });
  const replaced: string[] = [];
  for (const name of readdirSync(join(copy, 'chunks')).filter((file) => file.endsWith('.mjs'))) {
    const { sources } = JSON.parse(readFileSync(join(copy, 'chunks', `${name}.map`), 'utf8')) as { sources: string[] };
    if (!sources.some((source) => /node_modules\/@(aws-sdk|smithy)\//.test(source))) continue;
    writeFileSync(join(copy, 'chunks', name), `throw new Error('AWS SDK chunk loaded: ${name}');\n`);
    replaced.push(name);
  }
  return { directory: copy, replaced };
}

describe.skipIf(!lambdaRuntime)('the first request of a cold start under the real Lambda runtime', () => {
  let upstream: FakeUpstream;
  let secrets: FakeSecretsManager;
  let table: Dynalite;
  let runtime: LambdaRuntimeProcess;
  let front: http.Server;
  let asset: { directory: string; replaced: string[] };

  beforeAll(async () => {
    table = await startDynalite();
    const deployed = synthesizeDeployedAsset({ GATEWAY_TABLE: TEST_TABLE });
    asset = assetWithoutSdk(deployed.directory);
    upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
    secrets = await startFakeSecretsManager();
    secrets.put('llm-gateway/team-a', { provider: 'openai', api_key: 'sk-team-a-STORED', custom_host: `${upstream.url}/v1` });
    secrets.put('llm-gateway/limits', { rules: [{ name: 'everyone', requests_per_minute: 1_000 }] });
    runtime = await startLambdaRuntimeProcess({
      install: lambdaRuntime!,
      taskRoot: asset.directory,
      handler: deployed.handler,
      environment: {
        ...deployed.environment,
        ...fakeAwsEnv(secrets),
        // What Lambda sets for the execution role; no shared config file, as on Lambda.
        AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE',
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        AWS_ENDPOINT_URL_DYNAMODB: table.url,
        LOG_LEVEL: 'info',
      },
    });
    await runtime.ready;
    front = createLocalServer(undefined, { runtimeApi: runtime.emulator, identity: () => CALLER });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    front?.closeAllConnections();
    front?.close();
    await runtime?.stop();
    await Promise.all([upstream?.close(), secrets?.close(), table?.close()]);
    if (asset) rmSync(join(asset.directory, '..'), { recursive: true, force: true });
  });

  it('reads Secrets Manager and counts in DynamoDB with every SDK chunk unloadable', async () => {
    expect(asset.replaced.length).toBeGreaterThan(0);
    const client = new OpenAI({
      apiKey: 'not-a-provider-key',
      baseURL: `http://127.0.0.1:${(front.address() as AddressInfo).port}/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-virtual-key': 'team-a' },
    });
    // Counters are per clock minute: two requests either side of a minute's end count in two windows.
    const minuteOf = () => Math.floor(Date.now() / 60_000);
    const firstMinute = minuteOf();
    const remaining: (string | null)[] = [];
    for (let request = 1; request <= 2; request++) {
      const { data, response } = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' }).withResponse();
      expect(data.choices[0]!.text).toBe(OPENAI_COMPLETION.choices[0]!.text);
      // Counted by the limits rule in the table: its headers say so.
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');
      remaining.push(response.headers.get('x-ratelimit-remaining-requests'));
    }
    const oneMinute = minuteOf() === firstMinute;
    expect(remaining[0]).toBe('999');
    expect(oneMinute ? ['998'] : ['998', '999']).toContain(remaining[1]);
    expect(upstream.received.map((request) => request.headers.authorization)).toEqual(['Bearer sk-team-a-STORED', 'Bearer sk-team-a-STORED']);
    expect(secrets.calls.get('llm-gateway/limits')).toBe(1);
    expect(secrets.calls.get('llm-gateway/team-a')).toBe(1);
    expect(runtime.output()).not.toMatch(/AWS SDK chunk loaded|secret read failed|limits store unavailable|Invoke Error|Uncaught/);
  });
});
