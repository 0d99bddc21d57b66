/**
 * Limits hold across gateway processes (issue 13): two `npm start` servers
 * (functions/completions/local.ts, each its own Node process) share one DynamoDB-compatible table
 * (dynalite, through `GATEWAY_TABLE` + `AWS_ENDPOINT_URL_DYNAMODB`). Concurrent requests against
 * one counter never pass its limit; a virtual key's budget used up through one process stops the
 * other; `npm run usage` reads the table, and a server without a table through `GET /limits/usage`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { type Dynalite, startDynalite, TEST_TABLE } from '../support/dynalite.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const CONCURRENT = 60;
const LIMIT = 20;

let dynalite: Dynalite;
let upstream: FakeUpstream;
let keysFile: string;
const children: ChildProcess[] = [];
let servers: string[] = [];
let dynamoEnv: NodeJS.ProcessEnv;

/** Starts `npm start`'s entry in its own process and returns its URL. */
async function startServer(env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [TSX, join(ROOT, 'functions/completions/local.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolveUrl(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${output}`)));
  });
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', GATEWAY_KEY_SOURCE: 'file', GATEWAY_KEYS_FILE: keysFile };
  for (const name of ['GATEWAY_TABLE', 'AWS_ENDPOINT_URL_DYNAMODB', 'GATEWAY_LIMITS_ON_STORE_ERROR', 'GATEWAY_METRICS']) delete env[name];
  return env;
}

beforeAll(async () => {
  [dynalite, upstream] = await Promise.all([startDynalite(), startFakeUpstream(json(200, OPENAI_COMPLETION))]);
  keysFile = join(mkdtempSync(join(tmpdir(), 'limits-processes-')), 'gateway.keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({
      virtual_keys: {
        'vk-race': { provider: 'openai', api_key: 'sk-race', custom_host: `${upstream.url}/v1` },
        'vk-shared': { provider: 'openai', api_key: 'sk-shared', custom_host: `${upstream.url}/v1` },
        'vk-warm': { provider: 'openai', api_key: 'sk-warm', custom_host: `${upstream.url}/v1` },
      },
      limits: {
        rules: [
          { name: 'race', virtual_keys: ['vk-race'], requests_per_day: LIMIT },
          { name: 'shared-budget', virtual_keys: ['vk-shared'], tokens_per_day: 30 },
          { name: 'warm-up', virtual_keys: ['vk-warm'], requests_per_day: 1000 },
        ],
      },
    }),
  );
  dynamoEnv = {
    GATEWAY_TABLE: TEST_TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  servers = await Promise.all([startServer({ ...baseEnv(), ...dynamoEnv }), startServer({ ...baseEnv(), ...dynamoEnv })]);
}, 90_000);

afterAll(async () => {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((later) => setTimeout(later, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }),
  );
  await upstream?.close();
  await dynalite?.close();
});

async function complete(server: string, virtualKey: string): Promise<{ status: number; code: string | null; headers: Headers }> {
  const response = await fetch(`${server}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': virtualKey },
    body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 }),
  });
  const body = (await response.json()) as { error?: { code: string | null } };
  return { status: response.status, code: body.error?.code ?? null, headers: response.headers };
}

describe('two gateway processes sharing one table', () => {
  test(`${CONCURRENT} concurrent requests against one counter of ${LIMIT}, split across both, pass exactly ${LIMIT} times`, async () => {
    // Warm both (SDK loaded, connections open), so neither wins the race by starting first.
    for (const server of servers) expect((await complete(server, 'vk-warm')).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, index) => complete(servers[index % 2]!, 'vk-race')));
    const passed = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(passed.length).toBe(LIMIT);
    expect(refused.length).toBe(CONCURRENT - LIMIT);
    expect(new Set(refused.map((answer) => answer.code))).toEqual(new Set(['insufficient_quota']));
    // Both processes served some: the counter, not one process's memory, held the line.
    expect(new Set(answers.map((answer, index) => (answer.status === 200 ? index % 2 : -1)).filter((side) => side >= 0)).size).toBe(2);
  });

  test('a budget set on a virtual key, used up through one process, stops the other', async () => {
    // Each call reserves 6 tokens (1 prompt + 5 max_tokens) and settles at the 12 the upstream reports.
    for (let index = 0; index < 3; index++) expect((await complete(servers[0]!, 'vk-shared')).status).toBe(200);
    const stopped = await complete(servers[1]!, 'vk-shared');
    expect(stopped.status).toBe(429);
    expect(stopped.code).toBe('insufficient_quota');
    expect(stopped.headers.get('x-should-retry')).toBe('false');
  });

  test('npm run usage prints the use and room per rule from the table', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [TSX, join(ROOT, 'scripts/usage.ts'), '--table', TEST_TABLE, '--limits-file', keysFile], {
      env: { ...baseEnv(), ...dynamoEnv },
    });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^rule\s+caller\s+measure\s+window\s+used\s+limit\s+remaining\s+resets at$/);
    expect(lines.find((line) => line.startsWith('race '))).toMatch(/^race\s+\(shared\)\s+requests_per_day\s+\d{4}-\d\d-\d\d\s+20\s+20\s+0\s+/);
    expect(lines.find((line) => line.startsWith('shared-budget '))).toMatch(/^shared-budget\s+\(shared\)\s+tokens_per_day\s+\S+\s+36\s+30\s+0\s+/);
  });

  test('npm run usage without a table reads a local server\u2019s in-process counters through GET /limits/usage', async () => {
    const local = await startServer(baseEnv());
    expect((await complete(local, 'vk-shared')).status).toBe(200);
    const { stdout } = await promisify(execFile)(process.execPath, [TSX, join(ROOT, 'scripts/usage.ts'), '--url', local], { env: baseEnv() });
    expect(stdout.split('\n').find((line) => line.startsWith('shared-budget '))).toMatch(/^shared-budget\s+\(shared\)\s+tokens_per_day\s+\S+\s+12\s+30\s+18\s+/);
  });
});
