import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { UpstreamError } from '../api/errors.ts';
import type { ProviderResult } from './call-provider.ts';
import { FAN_OUT_CONCURRENCY, fanOutCompletion } from './fan-out-completion.ts';
import type { ParameterTable } from './map-parameters.ts';
import { planFanOut, type PlannedCall } from './plan-fan-out.ts';
import type { CompletionPart, Provider } from './provider.ts';

const table: ParameterTable = { max_tokens: {} };
const provider = { name: 'fake', streamFormat: 'sse', prompts: { arrays: false, tokens: false }, emulated: { n: true, echo: true }, parameters: table } as unknown as Provider;
const plan = (body: Record<string, unknown>, stream = false) =>
  planFanOut(provider, { params: parseCompletionRequest({ model: 'm', ...body }), target: { provider: 'fake' }, stream, forwardedHeaders: {}, strict: false });

const usage = { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 };
const label = (planned: PlannedCall) => `${String(planned.call.params.prompt)}#${planned.copy}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect(parts: AsyncIterable<CompletionPart>): Promise<CompletionPart[]> {
  const all: CompletionPart[] = [];
  for await (const part of parts) all.push(part);
  return all;
}

describe('fanOutCompletion', () => {
  it('merges whole responses in OpenAI order with summed usage and echo', async () => {
    const result = await fanOutCompletion(
      plan({ prompt: ['a', 'b'], n: 2, echo: true }),
      false,
      async (planned) => {
        await sleep(planned.copy === 0 ? 20 : 1); // answers arrive out of order
        return { kind: 'response', warnings: [], part: { id: `id-${label(planned)}`, choices: [{ index: 0, text: `<${label(planned)}>`, logprobs: null, finish_reason: 'stop' }], usage } };
      },
      {},
    );
    expect(result.kind).toBe('response');
    const part = (result as Extract<ProviderResult, { kind: 'response' }>).part;
    expect(part.choices.map((choice) => [choice.index, choice.text])).toEqual([
      [0, 'a<a#0>'],
      [1, 'a<a#1>'],
      [2, 'b<b#0>'],
      [3, 'b<b#1>'],
    ]);
    expect(part.usage).toEqual({ prompt_tokens: 8, completion_tokens: 12, total_tokens: 20 });
    expect(part.id).toBe('id-a#0');
  });

  it('never runs more than the concurrency bound at once', async () => {
    let running = 0;
    let peak = 0;
    await fanOutCompletion(plan({ prompt: ['a', 'b', 'c'], n: 3 }), false, async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
      return { kind: 'response', warnings: [], part: { choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }] } };
    }, {});
    expect(peak).toBe(FAN_OUT_CONCURRENCY);
  });

  it('fails whole and aborts the other calls when one fails', async () => {
    const aborted: string[] = [];
    const error = await fanOutCompletion(plan({ prompt: ['a', 'b'] }), false, async (planned, signal) => {
      if (planned.call.params.prompt === 'b') throw new UpstreamError('overloaded', { provider: 'fake', statusCode: 503 });
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => (aborted.push(label(planned)), reject(signal.reason))));
      throw new Error('unreachable');
    }, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).statusCode).toBe(503);
    expect(aborted).toEqual(['a#0']);
  });

  it('interleaves streams as parts arrive, re-indexed, echo on each choice’s first chunk', async () => {
    // Ordered by events, not by sleeps: stream 'a' starts only once the merge has pulled past
    // stream 'b''s last part (its generator resumes after its final yield only when pulled again).
    let bEnded!: () => void;
    const bHasEnded = new Promise<void>((resolve) => (bEnded = resolve));
    const result = await fanOutCompletion(plan({ prompt: ['a', 'b'], echo: true }, true), true, async (planned) => ({
      kind: 'stream',
      warnings: [{ type: 'dropped', param: 'user', details: 'x' }],
      parts: (async function* () {
        const isA = planned.call.params.prompt === 'a';
        if (isA) await bHasEnded;
        for (const text of ['1', '2']) {
          await Promise.resolve();
          yield { choices: [{ index: 0, text: `${String(planned.call.params.prompt)}${text}`, logprobs: null, finish_reason: text === '2' ? 'stop' : null }] };
        }
        yield { choices: [], usage };
        if (!isA) bEnded();
      })(),
    }), {});
    expect(result.kind).toBe('stream');
    expect(result.warnings).toHaveLength(1);
    const parts = await collect((result as Extract<ProviderResult, { kind: 'stream' }>).parts);
    const texts = parts.flatMap((part) => part.choices.map((choice) => `${choice.index}:${choice.text}`));
    expect(texts).toEqual(['1:bb1', '1:b2', '0:aa1', '0:a2']);
    expect(parts.filter((part) => part.usage)).toHaveLength(2);
  });

  it('starts calls beyond the first wave as earlier streams end', async () => {
    const result = await fanOutCompletion(plan({ prompt: ['a', 'b', 'c', 'd', 'e', 'f'] }, true), true, async (planned) => ({
      kind: 'stream',
      warnings: [],
      parts: (async function* () {
        await sleep(2);
        yield { choices: [{ index: 0, text: String(planned.call.params.prompt), logprobs: null, finish_reason: 'stop' }] };
      })(),
    }), {});
    const parts = await collect((result as Extract<ProviderResult, { kind: 'stream' }>).parts);
    expect(parts.map((part) => part.choices[0]!.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('ends the merged stream with the error of a call beyond the first wave that fails to open', async () => {
    const result = await fanOutCompletion(plan({ prompt: ['a', 'b', 'c', 'd', 'e'] }, true), true, async (planned) => {
      if (planned.call.params.prompt === 'e') throw new UpstreamError('rate limited', { provider: 'fake', statusCode: 429 });
      return { kind: 'stream', warnings: [], parts: (async function* () { yield { choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: 'stop' as const }] }; })() };
    }, {});
    const seen: number[] = [];
    const error = await (async () => {
      for await (const part of (result as Extract<ProviderResult, { kind: 'stream' }>).parts) seen.push(part.choices[0]!.index);
    })().catch((caught: unknown) => caught);
    expect((error as UpstreamError).statusCode).toBe(429);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(4);
  });

  it('aborts the other streams when one breaks mid-stream, and surfaces that error', async () => {
    const aborted: string[] = [];
    const result = await fanOutCompletion(plan({ prompt: ['a', 'b'] }, true), true, async (planned, signal) => ({
      kind: 'stream',
      warnings: [],
      parts: (async function* () {
        yield { choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: null }] };
        if (planned.call.params.prompt === 'b') {
          await sleep(5);
          throw new UpstreamError('broke', { provider: 'fake', statusCode: 502 });
        }
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => (aborted.push('a'), reject(signal.reason))));
      })(),
    }), {});
    const error = await collect((result as Extract<ProviderResult, { kind: 'stream' }>).parts).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('broke');
    expect(aborted).toEqual(['a']);
  });

  it('rejects before returning when a first-wave stream fails before its first part', async () => {
    const error = await fanOutCompletion(plan({ prompt: ['a', 'b'] }, true), true, async (planned) => {
      if (planned.call.params.prompt === 'b') throw new UpstreamError('rate limited', { provider: 'fake', statusCode: 429 });
      return { kind: 'stream', warnings: [], parts: (async function* () { yield { choices: [] }; })() };
    }, {}).catch((caught: unknown) => caught);
    expect((error as UpstreamError).statusCode).toBe(429);
  });
});
