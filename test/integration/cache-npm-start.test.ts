/**
 * Issue #14's "done when": a repeated request through `npm start` (the local server in its own
 * process, settings from the environment, no GATEWAY_TABLE: the in-process store) with a cache
 * config answers `x-portkey-cache-status: HIT` without an upstream call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';

let upstream: FakeUpstream;
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
  const { GATEWAY_TABLE: _table, ...env } = process.env;
  // `npm start` is `tsx functions/completions/local.ts`; run the same without npm's own process in between.
  child = spawn(process.execPath, ['--import', 'tsx', 'functions/completions/local.ts'], {
    env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', GATEWAY_KEYS_FILE: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the local server did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the local server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = line.startsWith('{') ? (JSON.parse(line) as { message?: string; url?: string }) : {};
      if (entry.message === 'llm-gateway listening' && entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
});

describe('npm start with a cache config', () => {
  it('answers a repeated request with x-portkey-cache-status: HIT and no upstream call', async () => {
    const config = { provider: 'openai', api_key: 'sk-local', custom_host: `${upstream.url}/v1`, cache: { mode: 'simple', max_age: 600 } };
    const send = () =>
      fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-portkey-config': JSON.stringify(config) },
        body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 }),
      });
    const first = await send();
    const firstBody = (await first.json()) as { choices: unknown };
    expect(first.headers.get('x-portkey-cache-status')).toBe('MISS');
    // The write starts on the event-loop turn after the answer's last byte (in memory it takes
    // well under a millisecond); a pause keeps the second request clear of it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await send();
    expect(second.headers.get('x-portkey-cache-status')).toBe('HIT');
    expect(((await second.json()) as { choices: unknown }).choices).toEqual(firstBody.choices);
    expect(upstream.received).toHaveLength(1);
  });
});
