/**
 * The deployed asset (the CDK output `cdk deploy` uploads: `index.mjs` + `chunks/`) under the real
 * Lambda runtime: Node 24 and AWS's runtime interface client, polling a Runtime API emulator on
 * loopback, with the environment the stack gives the function. Callers are the official `openai`
 * SDK through an API Gateway stand-in that sends REST proxy events naming the IAM caller in
 * `requestContext.identity` and decodes the streamed prelude as API Gateway does.
 *
 * Needs `bash tools/lambda-runtime/install.sh`; skips without it (fails under CI, see support/).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema, completionResponseSchema } from '../../lib/api/completion-response.ts';
import type { IamIdentity } from '../../lib/local/api-gateway-event.ts';
import { createLocalServer } from '../../lib/local/local-server.ts';
import { startLambdaRuntimeProcess, type LambdaRuntimeProcess } from '../../lib/local/runtime-api/lambda-runtime-process.ts';
import { OPENAI_COMPLETION as openAICompletion, openAIChunk } from '../fakes/openai-samples.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { startDynalite, TEST_TABLE, type Dynalite } from '../support/dynalite.ts';
import { synthesizeDeployedAsset } from './support/deployed-asset.ts';
import { lambdaRuntime } from './support/lambda-runtime-install.ts';

const TEAM_A: IamIdentity = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-a-app/session-1', accountId: '111122223333' };
const TEAM_B: IamIdentity = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-b-app/session-1', accountId: '111122223333' };
const CALLERS: Record<string, IamIdentity> = { 'team-a': TEAM_A, 'team-b': TEAM_B };
/**
 * The upstream closes a connection idle this long, without announcing it in a `Keep-Alive`
 * header (as load balancers do): a client learns of it only from the FIN. The freeze test sleeps past it.
 */
const UPSTREAM_KEEP_ALIVE_MS = 300;

interface Upstream {
  url: string;
  /** Each request's path, and the socket it came on (to tell reuse from reconnects). */
  received: Array<{ path: string; socket: number; authorization: string | undefined }>;
  answer: (request: http.IncomingMessage, response: http.ServerResponse, body: Record<string, unknown>) => void | Promise<void>;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  let sockets = 0;
  const ids = new WeakMap<object, number>();
  const upstream: Upstream = {
    url: '',
    received: [],
    answer: (_request, response) => sendJson(response, 200, openAICompletion),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const idleTimers = new WeakMap<object, NodeJS.Timeout>();
  const server = http.createServer((request, response) => {
    if (!ids.has(request.socket)) ids.set(request.socket, ++sockets);
    clearTimeout(idleTimers.get(request.socket));
    response.once('finish', () => idleTimers.set(request.socket, setTimeout(() => request.socket.end(), UPSTREAM_KEEP_ALIVE_MS)));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      upstream.received.push({ path: request.url ?? '', socket: ids.get(request.socket)!, authorization: request.headers.authorization });
      void upstream.answer(request, response, JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>);
    });
  });
  // No idle timeout of Node's own: it would announce itself (`Keep-Alive: timeout=0`) and clients would not reuse.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

function sendJson(response: http.ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

const openAIStreamChunks = [openAIChunk('\n\n'), openAIChunk('This'), openAIChunk(' is'), openAIChunk(' a test', 'length')];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!lambdaRuntime)('the deployed asset under the real Lambda runtime (Node 24, aws-lambda-ric)', () => {
  let upstream: Upstream;
  let secrets: FakeSecretsManager;
  let table: Dynalite;
  let runtime: LambdaRuntimeProcess;
  let front: http.Server;
  let baseURL: string;

  function client(caller?: string, headers: Record<string, string> = {}): OpenAI {
    return new OpenAI({
      apiKey: 'not-a-provider-key',
      baseURL,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-virtual-key': 'team-a', ...(caller ? { 'x-test-caller': caller } : {}), ...headers },
    });
  }

  beforeAll(async () => {
    // The deployed function keeps limit counters and cache entries in its table: dynalite on loopback.
    table = await startDynalite();
    const asset = synthesizeDeployedAsset({ GATEWAY_TABLE: TEST_TABLE });
    upstream = await startUpstream();
    secrets = await startFakeSecretsManager();
    secrets.put('llm-gateway/team-a', {
      provider: 'openai',
      api_key: 'sk-team-a-STORED',
      custom_host: `${upstream.url}/v1`,
      allowed_principals: ['arn:aws:iam::111122223333:role/team-a-*'],
    });
    runtime = await startLambdaRuntimeProcess({
      install: lambdaRuntime!,
      taskRoot: asset.directory,
      handler: asset.handler,
      environment: { ...asset.environment, ...fakeAwsEnv(secrets), AWS_ENDPOINT_URL_DYNAMODB: table.url, LOG_LEVEL: 'info' },
    });
    await runtime.ready;
    // API Gateway's IAM auth names the caller; here a test header picks one of two roles.
    front = createLocalServer(undefined, {
      runtimeApi: runtime.emulator,
      identity: (request) => CALLERS[String(request.headers['x-test-caller'])],
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(front.address() as AddressInfo).port}/v1`;
  }, 120_000);

  afterAll(async () => {
    front?.closeAllConnections();
    front?.close();
    await runtime?.stop();
    await Promise.all([upstream?.close(), secrets?.close(), table?.close()]);
  });

  it('answers a plain completion through a virtual key read from Secrets Manager', async () => {
    const before = upstream.received.length;
    const { data, response } = await client('team-a').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' }).withResponse();
    completionResponseSchema.parse(data);
    expect(data.choices[0]!.text).toBe(openAICompletion.choices[0]!.text);
    expect(response.headers.get('x-portkey-trace-id')).toBeTruthy();
    expect(upstream.received.slice(before).map((request) => request.authorization)).toEqual(['Bearer sk-team-a-STORED']);
    expect(secrets.calls.get('llm-gateway/team-a')).toBe(1);
    // The runtime posted a streamed answer in the integration content type.
    expect(runtime.output()).not.toMatch(/Invoke Error|Uncaught|ERR_/);
  });

  it('refuses a caller outside allowed_principals, named by requestContext.identity', async () => {
    const error = await client('team-b').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const anonymous = await client(undefined).completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' }).catch((caught: unknown) => caught);
    expect((anonymous as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
  });

  it('streams chunks as the upstream sends them', async () => {
    const gapMs = 150;
    upstream.answer = async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const chunk of openAIStreamChunks) {
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
        await sleep(gapMs);
      }
      response.end('data: [DONE]\n\n');
    };
    const stream = await client('team-a').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true });
    const arrivals: number[] = [];
    const texts: string[] = [];
    for await (const chunk of stream) {
      arrivals.push(performance.now());
      texts.push(completionChunkSchema.parse(chunk).choices[0]?.text ?? '');
    }
    expect(texts.join('')).toBe(openAIStreamChunks.map((chunk) => chunk.choices[0]?.text ?? '').join(''));
    expect(arrivals.length).toBe(openAIStreamChunks.length);
    // Not buffered: the chunks reach the caller spread out as the upstream sent them (a buffered
    // answer would arrive in one burst); half the upstream's spread leaves room for a busy machine.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual((gapMs * (openAIStreamChunks.length - 1)) / 2);
  });

  it('answers an upstream error before the first byte with its status, and keeps the instance', async () => {
    upstream.answer = (_request, response) => sendJson(response, 429, { error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
    const error = await client('team-a').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'slow down', code: 'rate_limit_exceeded' });
    expect(runtime.child.exitCode).toBeNull();
  });

  it('turns an upstream cut after the first byte into an in-band error event; the instance lives on', async () => {
    upstream.answer = async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(openAIStreamChunks[0])}\n\n`);
      await sleep(50);
      response.socket?.destroy();
    };
    const stream = await client('team-a').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true });
    const texts: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) texts.push(chunk.choices[0]?.text ?? '');
    })().catch((caught: unknown) => caught);
    expect(texts).toEqual([openAIStreamChunks[0]!.choices[0]!.text]);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    await sleep(100);
    expect(runtime.child.exitCode).toBeNull();
    upstream.answer = (_request, response) => sendJson(response, 200, openAICompletion);
    const next = await client('team-a').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' });
    expect(next.choices[0]!.text).toBe(openAICompletion.choices[0]!.text);
  });

  it('serves many invocations in one process, reusing its upstream connection and its cached secret', async () => {
    upstream.answer = (_request, response) => sendJson(response, 200, openAICompletion);
    const before = upstream.received.length;
    const pid = runtime.child.pid;
    const sdk = client('team-a');
    for (let index = 0; index < 40; index++) {
      const completion = await sdk.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: `n${index}` });
      expect(completion.choices[0]!.text).toBe(openAICompletion.choices[0]!.text);
    }
    const sockets = new Set(upstream.received.slice(before).map((request) => request.socket));
    expect(upstream.received.length - before).toBe(40);
    expect(sockets.size).toBeLessThanOrEqual(2);
    expect(secrets.calls.get('llm-gateway/team-a')).toBe(1);
    expect(runtime.child.pid).toBe(pid);
    expect(runtime.child.exitCode).toBeNull();
  });

  it('answers after being frozen past the upstream keep-alive and thawed', async () => {
    upstream.answer = (_request, response) => sendJson(response, 200, openAICompletion);
    const sdk = client('team-a');
    await sdk.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'warm' });
    const socketBefore = upstream.received.at(-1)!.socket;
    // Lambda freezes the process between invocations, while it waits on /next.
    await runtime.emulator.waitForNextPoll();
    runtime.freeze();
    try {
      await sleep(UPSTREAM_KEEP_ALIVE_MS * 3);
      // The event is waiting on the /next socket when the process thaws, as on Lambda.
      const answer = sdk.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'after thaw' });
      await sleep(50);
      runtime.thaw();
      const completion = await answer;
      expect(completion.choices[0]!.text).toBe(openAICompletion.choices[0]!.text);
    } finally {
      runtime.thaw();
    }
    expect(upstream.received.at(-1)!.socket).not.toBe(socketBefore);
    expect(runtime.child.exitCode).toBeNull();
  });
});
