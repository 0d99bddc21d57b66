/**
 * Local keys: `npm start` (functions/completions/local.ts) reads virtual keys from
 * gateway.keys.json in its working directory by default, no AWS involved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const OK = { id: 'cmpl-1', object: 'text_completion', created: 1589478378, model: 'm', choices: [{ text: 'from file key', index: 0, logprobs: null, finish_reason: 'stop' }] };

describe('npm start with a local keys file', () => {
  let upstream: FakeUpstream;
  let child: ChildProcess;
  let baseURL: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream(json(200, OK));
    const directory = mkdtempSync(join(tmpdir(), 'gateway-keys-'));
    writeFileSync(
      join(directory, 'gateway.keys.json'),
      JSON.stringify({ virtual_keys: { local: { provider: 'openai', api_key: 'sk-from-file', custom_host: `${upstream.url}/v1` } } }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info' };
    for (const name of ['GATEWAY_KEY_SOURCE', 'GATEWAY_KEYS_FILE', 'GATEWAY_ALLOWED_CUSTOM_HOSTS']) delete env[name];
    child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'functions/completions/local.ts')], { cwd: directory, env, stdio: ['ignore', 'pipe', 'pipe'] });
    baseURL = await new Promise<string>((resolveUrl, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (match) resolveUrl(`${match[1]}/v1`);
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
    });
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolveLater) => setTimeout(resolveLater, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await upstream?.close();
  });

  it('resolves a virtual key from gateway.keys.json in the working directory', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-virtual-key': 'local' } });
    const completion = await client.completions.create({ model: 'm', prompt: 'x' });
    expect(completion.choices[0]!.text).toBe('from file key');
    expect(upstream.received.at(-1)!.headers.authorization).toBe('Bearer sk-from-file');
  });

  it('answers 404 for a virtual key the file does not hold', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-virtual-key': 'elsewhere' } });
    await expect(client.completions.create({ model: 'm', prompt: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
