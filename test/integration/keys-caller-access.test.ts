/**
 * Per-caller access and stored configs, driving the real Middy handler with crafted API Gateway
 * events whose `requestContext.identity` names the IAM caller (as API Gateway's IAM auth sets it),
 * through the `awslambda` streaming-runtime stand-in from lib/local.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLambdaStreamingRuntime, PRELUDE_DELIMITER, type StreamingHandler } from '../../lib/local/lambda-streaming-runtime.ts';
import { setLogSink } from '../../lib/log.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';

const OK = { id: 'cmpl-1', object: 'text_completion', created: 1589478378, model: 'm', choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }] };
const TEAM_A = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-a-app/session-1', accountId: '111122223333' };
const TEAM_B = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-b-app/session-1', accountId: '111122223333' };
const PARTNER = { userArn: 'arn:aws:iam::444455556666:user/alice', accountId: '444455556666' };

class CapturingStream extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

describe('per-caller access to virtual keys and stored configs', () => {
  let secrets: FakeSecretsManager;
  let primary: FakeUpstream;
  let secondary: FakeUpstream;
  let handler: StreamingHandler;
  const logs: string[] = [];
  let restoreLog: () => void;

  async function invoke(caller: { userArn: string | null; accountId: string | null }, headers: Record<string, string>) {
    const event = {
      resource: '/v1/completions',
      path: '/v1/completions',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer unused', ...headers },
      multiValueHeaders: {},
      queryStringParameters: null,
      body: JSON.stringify({ model: 'm', prompt: 'x' }),
      isBase64Encoded: false,
      requestContext: { accountId: '999999999999', stage: 'prod', requestId: 'r-1', identity: { ...caller, sourceIp: '10.0.0.1' } },
    };
    const stream = new CapturingStream();
    await handler(event, stream, { getRemainingTimeInMillis: () => 900_000, awsRequestId: 'r-1' });
    const all = Buffer.concat(stream.chunks);
    const split = all.indexOf(PRELUDE_DELIMITER);
    const prelude = JSON.parse(all.subarray(0, split).toString()) as { statusCode: number };
    return { statusCode: prelude.statusCode, body: JSON.parse(all.subarray(split + PRELUDE_DELIMITER.length).toString()) as Record<string, any> };
  }

  beforeAll(async () => {
    secrets = await startFakeSecretsManager();
    primary = await startFakeUpstream(json(200, OK));
    secondary = await startFakeUpstream(json(200, { ...OK, id: 'cmpl-2' }));
    secrets.put('llm-gateway/team-a', {
      provider: 'openai',
      api_key: 'sk-team-a',
      custom_host: `${primary.url}/v1`,
      allowed_principals: ['arn:aws:iam::111122223333:role/team-a-*', '444455556666'],
    });
    secrets.put('llm-gateway/primary', { provider: 'openai', api_key: 'sk-primary', custom_host: `${primary.url}/v1` });
    secrets.put('llm-gateway/secondary', { provider: 'openai', api_key: 'sk-secondary', custom_host: `${secondary.url}/v1` });
    secrets.put('llm-gateway/configs/fallback-pair', {
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'primary' }, { virtual_key: 'secondary' }],
      allowed_principals: ['111122223333'],
    });
    Object.assign(process.env, fakeAwsEnv(secrets), { GATEWAY_KEY_SOURCE: 'secretsmanager', GATEWAY_ALLOWED_CUSTOM_HOSTS: 'allowed.invalid', LOG_LEVEL: 'info' });
    restoreLog = setLogSink((line) => logs.push(line));
    installLambdaStreamingRuntime();
    handler = (await import('../../functions/completions/handler.ts')).handler as unknown as StreamingHandler;
  });
  afterAll(async () => {
    restoreLog?.();
    await Promise.all([secrets?.close(), primary?.close(), secondary?.close()]);
  });

  it('lets a listed role session and a listed account use the key', async () => {
    for (const caller of [TEAM_A, PARTNER]) {
      const result = await invoke(caller, { 'x-portkey-virtual-key': 'team-a' });
      expect(result.statusCode).toBe(200);
      expect(primary.received.at(-1)!.headers.authorization).toBe('Bearer sk-team-a');
    }
  });

  it('answers 403 to a caller the key does not list, and logs who was refused', async () => {
    const before = primary.received.length;
    const result = await invoke(TEAM_B, { 'x-portkey-virtual-key': 'team-a' });
    expect(result).toEqual({
      statusCode: 403,
      body: { error: { message: 'This caller may not use the virtual key "team-a".', type: 'permission_error', param: null, code: 'virtual_key_not_allowed' } },
    });
    expect(primary.received.length).toBe(before);
    const refused = logs.map((line) => JSON.parse(line)).find((line) => line.message === 'virtual key refused to caller');
    expect(refused).toMatchObject({ virtualKey: 'team-a', callerArn: TEAM_B.userArn, callerAccount: '111122223333' });
  });

  it('answers 403 to a caller without an IAM identity', async () => {
    expect((await invoke({ userArn: null, accountId: null }, { 'x-portkey-virtual-key': 'team-a' })).statusCode).toBe(403);
  });

  it('takes the caller from the request context, never from a header', async () => {
    const result = await invoke(TEAM_B, { 'x-portkey-virtual-key': 'team-a', 'x-amzn-user-arn': TEAM_A.userArn, 'x-portkey-caller': TEAM_A.userArn });
    expect(result.statusCode).toBe(403);
  });

  it('logs which caller used which virtual key', async () => {
    await invoke(PARTNER, { 'x-portkey-virtual-key': 'team-a', 'x-portkey-trace-id': 'trace-audit' });
    const used = logs.map((line) => JSON.parse(line)).find((line) => line.message === 'virtual key used' && line.traceId === 'trace-audit');
    expect(used).toEqual(expect.objectContaining({ virtualKey: 'team-a', callerArn: PARTNER.userArn, callerAccount: '444455556666' }));
  });

  it('routes by a stored config id, reading a fallback target\'s secret only when it is tried', async () => {
    const result = await invoke(TEAM_A, { 'x-portkey-config': 'fallback-pair' });
    expect(result.statusCode).toBe(200);
    expect(result.body.id).toBe('cmpl-1');
    expect(secrets.calls.get('llm-gateway/configs/fallback-pair')).toBe(1);
    expect(secrets.calls.get('llm-gateway/primary')).toBe(1);
    expect(secrets.calls.get('llm-gateway/secondary')).toBeUndefined();

    primary.enqueue(json(500, { error: { message: 'overloaded', type: 'server_error' } }));
    const fallback = await invoke(TEAM_A, { 'x-portkey-config': 'fallback-pair' });
    expect(fallback.statusCode).toBe(200);
    expect(fallback.body.id).toBe('cmpl-2');
    expect(secondary.received.at(-1)!.headers.authorization).toBe('Bearer sk-secondary');
    expect(secrets.calls.get('llm-gateway/secondary')).toBe(1);
    expect(secrets.calls.get('llm-gateway/configs/fallback-pair')).toBe(1);
  });

  it('applies allowed_principals of a stored config, and 404 for an unknown one', async () => {
    const refused = await invoke(PARTNER, { 'x-portkey-config': 'fallback-pair' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body.error.code).toBe('config_not_allowed');
    const unknown = await invoke(TEAM_A, { 'x-portkey-config': 'no-such-config' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.error.code).toBe('config_not_found');
  });
});
