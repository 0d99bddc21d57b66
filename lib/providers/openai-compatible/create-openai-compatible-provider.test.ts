import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError } from '../../api/errors.ts';
import { completeWithProvider } from '../complete-with-provider.ts';
import type { ProviderCall } from '../provider.ts';
import { createOpenAICompatibleProvider } from './create-openai-compatible-provider.ts';

/** A loopback OpenAI-compatible server that records each body and answers one choice echoing a counter. */
const received: Array<Record<string, unknown>> = [];
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(text) as Record<string, unknown>);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: `cmpl-${received.length}`,
          model: 'served-model',
          choices: [{ index: 0, text: `answer ${received.length}`, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

let stopConversions = 0;
/** A new member of the family is this much data. */
const example = createOpenAICompatibleProvider({
  name: 'example',
  baseUrl: () => baseUrl,
  prompts: { arrays: false, tokens: false },
  unsupported: ['logit_bias', 'suffix'],
  emulated: ['n'],
  rules: {
    stop: {
      transform: (stop: string | string[]) => {
        stopConversions++;
        return typeof stop === 'string' ? [stop] : stop;
      },
    },
  },
});

const call = (body: Record<string, unknown>, strict = false): ProviderCall => ({
  params: parseCompletionRequest({ model: 'example-model', ...body }),
  target: { provider: 'example', api_key: 'key-1' },
  stream: false,
  forwardedHeaders: {},
  strict,
});

describe('an OpenAI-compatible provider defined as data', () => {
  it('completes through the engine: its differences applied, n emulated, parameters mapped once for every call', async () => {
    stopConversions = 0;
    const result = await completeWithProvider(example, call({ prompt: 'hi', n: 3, stop: '\n', logit_bias: { '50256': -100 }, max_tokens: 5 }), {});
    expect(received).toHaveLength(3);
    for (const body of received) expect(body).toEqual({ model: 'example-model', prompt: 'hi', max_tokens: 5, stop: ['\n'] });
    expect(stopConversions).toBe(1);
    expect(result.kind).toBe('response');
    if (result.kind !== 'response') return;
    expect(result.part.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(result.part.model).toBe('served-model');
    expect(result.warnings).toEqual([{ type: 'dropped', param: 'logit_bias', details: 'example does not support logit_bias' }]);
  });

  it('maps once in strict mode too', async () => {
    stopConversions = 0;
    await completeWithProvider(example, call({ prompt: 'hi', stop: 'x' }, true), {});
    expect(received).toEqual([{ model: 'example-model', prompt: 'hi', max_tokens: 16, stop: ['x'] }]);
    expect(stopConversions).toBe(1);
  });

  it('refuses in strict mode before any upstream call, mapping once', async () => {
    stopConversions = 0;
    await expect(completeWithProvider(example, call({ prompt: 'hi', stop: 'x', suffix: 'end' }, true), {})).rejects.toThrow(UnsupportedParameterError);
    expect(received).toHaveLength(0);
    expect(stopConversions).toBe(1);
  });
});
