/**
 * The gateway's emulation end to end: a provider without prompt arrays, `n` or `echo`
 * (Ollama's table) gets parallel single calls, merged into exactly what OpenAI would answer.
 * Also strict mode, failures before and after the first byte, and the caller going away.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema, completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json, type Responder } from '../fakes/fake-upstream.ts';
import { useGatewayClient } from '../support/gateway-client.ts';

const setup = useGatewayClient({ provider: 'ollama', apiKey: 'k', hostPath: '/v1' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
let callCount = 0;

/** Ollama-style chunks: each call answers `<prompt>:<call number>` in two pieces, `delayMs` apart. */
/**
 * Sends each choice's first piece, then waits for `gate` (the test opens it once the caller holds
 * every first piece) before the second: a gateway that buffered would never open it. `opened`
 * records, per call, whether the gate opened (true) or the wait ran out (false).
 */
function streamingOllama(gate: Promise<void>, opened: boolean[], usage = true): Responder {
  return async (request, response) => {
    const call = callCount++;
    const chunk = (text: string, finish: string | null) => ({
      id: `cmpl-${call}`,
      object: 'text_completion',
      created: 1722450301,
      model: 'llama3.2',
      system_fingerprint: 'fp_ollama',
      choices: [{ text, index: 0, finish_reason: finish }],
    });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(`data: ${JSON.stringify(chunk(` ${promptOf(request.body)}`, null))}\n\n`);
    opened.push(await Promise.race([gate.then(() => true), sleep(10_000).then(() => false)]));
    response.write(`data: ${JSON.stringify(chunk(` done`, 'stop'))}\n\n`);
    if (usage) response.write(`data: ${JSON.stringify({ ...chunk('', null), choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`);
    response.end('data: [DONE]\n\n');
  };
}

describe('emulated n × prompt arrays', () => {
  it('streams n × prompts as interleaved chunks with OpenAI indices, echo first, usage summed', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const opened: boolean[] = [];
    setup.upstream.fallback = streamingOllama(gate, opened);
    const before = setup.upstream.received.length;
    const stream = await setup.client.completions.create({
      model: 'llama3.2',
      prompt: ['Alpha', 'Beta'],
      n: 2,
      echo: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) {
      chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
      if (chunks.length === 4) openGate();
    }

    const sent = setup.upstream.received.slice(before);
    expect(sent).toHaveLength(4);
    expect(sent.map((request) => promptOf(request.body)).sort()).toEqual(['Alpha', 'Alpha', 'Beta', 'Beta']);
    for (const request of sent) expect(request.body).toEqual({ model: 'llama3.2', prompt: promptOf(request.body), max_tokens: 16, stream: true, stream_options: { include_usage: true } });

    const byIndex = new Map<number, string[]>();
    for (const chunk of chunks) for (const choice of chunk.choices) byIndex.set(choice.index, [...(byIndex.get(choice.index) ?? []), choice.text]);
    // index = prompt_index * n + j; echo only on each choice's first chunk.
    expect([...byIndex.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(byIndex.get(0)).toEqual(['Alpha Alpha', ' done']);
    expect(byIndex.get(1)).toEqual(['Alpha Alpha', ' done']);
    expect(byIndex.get(2)).toEqual(['Beta Beta', ' done']);
    expect(byIndex.get(3)).toEqual(['Beta Beta', ' done']);
    const finishes = chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.finish_reason).map((choice) => [choice.index, choice.finish_reason]));
    expect(finishes.sort()).toEqual([[0, 'stop'], [1, 'stop'], [2, 'stop'], [3, 'stop']]);
    // Interleaved as they arrive (the four calls run at once): every first chunk comes before any second one.
    expect(chunks.slice(0, 4).map((chunk) => chunk.choices[0]!.text).every((text) => text !== ' done')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 } });
    // Streamed, not buffered: the caller held all four first pieces while every upstream call still waited.
    expect(opened).toEqual([true, true, true, true]);
  });

  it('answers n × prompts whole, choices in OpenAI order with usage summed', async () => {
    setup.upstream.fallback = (request, response) =>
      json(200, {
        id: 'cmpl-1',
        object: 'text_completion',
        created: 1,
        model: 'llama3.2',
        choices: [{ text: `<${promptOf(request.body)}>`, index: 0, finish_reason: 'length' }],
        usage: { prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 },
      })(request, response, undefined as never);
    const { data, response } = await setup.client.completions.create({ model: 'llama3.2', prompt: ['a', 'b', 'c'], n: 2 }).withResponse();
    completionResponseSchema.parse(data);
    expect(data.choices.map((choice) => [choice.index, choice.text])).toEqual([
      [0, '<a>'],
      [1, '<a>'],
      [2, '<b>'],
      [3, '<b>'],
      [4, '<c>'],
      [5, '<c>'],
    ]);
    expect(data.usage).toEqual({ prompt_tokens: 12, completion_tokens: 96, total_tokens: 108 });
    expect(response.headers.get('x-portkey-dropped-params')).toBeNull();
  });

  it('drops best_of > n with a warning header (it cannot be emulated honestly)', async () => {
    setup.upstream.fallback = json(200, { id: 'x', choices: [{ text: 't', index: 0, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    const second = await setup.client.completions.create({ model: 'llama3.2', prompt: 'a', n: 2, best_of: 3, user: 'u' }).withResponse();
    expect(second.response.headers.get('x-portkey-dropped-params')).toBe('best_of,user');
    expect(second.data.choices).toHaveLength(2);
  });
});

describe('strict mode', () => {
  it('refuses with a 400 naming every parameter that would be dropped, before any upstream call', async () => {
    const before = setup.upstream.received.length;
    const error = await setup.client.completions
      .create({ model: 'llama3.2', prompt: ['a', 'b'], n: 2, best_of: 3, user: 'u', logprobs: 1 }, { headers: { 'x-portkey-strict-params': 'true' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const body = (error as InstanceType<typeof OpenAI.APIError>).error as { param: string; code: string; message: string };
    expect(body.param).toBe('best_of,logprobs,user');
    expect(body.code).toBe('unsupported_parameter');
    expect(body.message).toContain('best_of 3 > n 2 cannot be emulated');
    expect(setup.upstream.received.length).toBe(before);
  });

  it('still emulates n, prompt arrays and echo, which lose nothing', async () => {
    setup.upstream.fallback = json(200, { id: 'x', choices: [{ text: '!', index: 0, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    const data = await setup.client.completions.create({ model: 'llama3.2', prompt: ['a', 'b'], n: 2, echo: true }, { headers: { 'x-portkey-strict-params': 'true' } });
    expect(data.choices.map((choice) => choice.text)).toEqual(['a!', 'a!', 'b!', 'b!']);
  });

  it('refuses token prompts whether strict or not', async () => {
    const error = await setup.client.completions.create({ model: 'llama3.2', prompt: [[1, 2]] }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ param: 'prompt' });
  });
});

describe('failures', () => {
  it('answers the upstream status when one call fails before its first byte, and closes the others', async () => {
    const closed: string[] = [];
    setup.upstream.fallback = async (request, response, raw: http.IncomingMessage) => {
      if (promptOf(request.body) === 'bad') {
        json(429, { error: { message: 'rate limited', type: 'rate_limit_error' } }, { 'retry-after': '1' })(request, response, raw);
        return;
      }
      response.on('close', () => closed.push(promptOf(request.body)));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders(); // headers but no first event: the gateway is still waiting
    };
    const error = await setup.client.completions.create({ model: 'llama3.2', prompt: ['good', 'bad'], stream: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ provider: 'ollama' });
    await expect.poll(() => closed, { timeout: 3000 }).toEqual(['good']);
  });

  it('ends the merged stream with an in-band error and no [DONE] when a call breaks mid-stream', async () => {
    setup.upstream.fallback = async (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ id: 'c', choices: [{ text: 'part', index: 0, finish_reason: null }] })}\n\n`);
      if (promptOf(request.body) === 'breaks') {
        await sleep(50);
        response.destroy();
        return;
      }
      await sleep(300);
      response.end(`data: ${JSON.stringify({ id: 'c', choices: [{ text: '.', index: 0, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    };
    const response = await fetch(`${setup.gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-provider': 'ollama', 'x-portkey-custom-host': `${setup.upstream.url}/v1` },
      body: JSON.stringify({ model: 'llama3.2', prompt: ['fine', 'breaks'], stream: true }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toMatch(/^data: \{"error":\{/);
    expect(JSON.parse(events.at(-1)!.slice(6)).error).toMatchObject({ provider: 'ollama', code: 'stream_interrupted' });
    expect(text).not.toContain('[DONE]');
  });

  it('closes every upstream call when the caller goes away', async () => {
    const closed: string[] = [];
    setup.upstream.fallback = async (request, response) => {
      response.on('close', () => closed.push(promptOf(request.body)));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ id: 'c', choices: [{ text: 'x', index: 0, finish_reason: null }] })}\n\n`);
      // ...and never finishes.
    };
    const controller = new AbortController();
    const stream = await setup.client.completions.create({ model: 'llama3.2', prompt: ['one', 'two', 'three'], stream: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await expect.poll(() => [...closed].sort(), { timeout: 5000 }).toEqual(['one', 'three', 'two']);
  });
});
