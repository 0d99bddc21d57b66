/**
 * Measures what the gateway itself spends per request and per stream event on the
 * OpenAI-compatible path (no network): mapping + request building, response parsing +
 * rendering, and per SSE event decode + transform + re-encode; also the fan-out merge.
 * Run: `npx tsx bench/measure-transform-cost.ts` (prints a markdown table, µs per operation).
 */
import { Readable } from 'node:stream';
import { parseCompletionRequest } from '../lib/api/completion-request.ts';
import { renderResponse, renderStream } from '../lib/api/render-completion.ts';
import { encodeSseData } from '../lib/api/sse.ts';
import { buildUpstreamRequest } from '../lib/providers/build-upstream-request.ts';
import { mergeResponses } from '../lib/providers/fan-out-completion.ts';
import { parseUpstreamJson } from '../lib/providers/parse-upstream-json.ts';
import { openAIProvider } from '../lib/providers/openai/openai-provider.ts';
import { ollamaProvider } from '../lib/providers/ollama/ollama-provider.ts';
import { planFanOut } from '../lib/providers/plan-fan-out.ts';
import type { CompletionPart, ProviderCall } from '../lib/providers/provider.ts';
import { createStreamTransform, readUpstreamStream } from '../lib/providers/read-upstream-stream.ts';
import { createSseDecoder, decodeSse } from '../lib/upstream/decode-sse.ts';

const body = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0, stop: ['\n'], user: 'u-1' };
const call = (stream: boolean): ProviderCall => ({ params: parseCompletionRequest({ ...body, stream }), target: { provider: 'openai', api_key: 'sk-x' }, stream, forwardedHeaders: {}, strict: false });
// https://platform.openai.com/docs/api-reference/completions/create (response example)
const responseText = JSON.stringify({
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  system_fingerprint: 'fp_44709d6fcb',
  choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
});
const chunkText = JSON.stringify({
  id: 'cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe',
  object: 'text_completion',
  created: 1690759702,
  choices: [{ text: ' is', index: 0, logprobs: null, finish_reason: null }],
  model: 'gpt-3.5-turbo-instruct',
  system_fingerprint: 'fp_44709d6fcb',
});

/** Median over rounds of the mean µs per operation. */
async function measure(label: string, operations: number, run: () => unknown | Promise<unknown>): Promise<[string, number]> {
  for (let i = 0; i < 2_000; i++) await run();
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < operations; i++) await run();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / operations);
  }
  rounds.sort((a, b) => a - b);
  return [label, rounds[3]!];
}

async function streamEvents(count: number): Promise<number> {
  const bytes = new TextEncoder().encode(`data: ${chunkText}\n\n`.repeat(count) + 'data: [DONE]\n\n');
  async function* body() {
    // Upstream TCP chunks of ~1 KB, as a socket would deliver them.
    for (let offset = 0; offset < bytes.length; offset += 1024) yield bytes.subarray(offset, offset + 1024);
  }
  const transform = createStreamTransform(openAIProvider, streamed);
  const parts: CompletionPart[] = [];
  for await (const event of decodeSse(body())) parts.push(...transform.transform(event));
  parts.push(...transform.flush());
  let written = 0;
  async function* source() {
    yield* parts;
  }
  for await (const text of renderStream(source(), { model: 'm', includeUsage: false })) written += text.length;
  return written;
}

/** The engine's own path from upstream bytes to parts (what callProvider returns), as routing consumes it. */
async function engineStream(count: number): Promise<number> {
  const bytes = new TextEncoder().encode(`data: ${chunkText}\n\n`.repeat(count) + 'data: [DONE]\n\n');
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += 1024) pieces.push(bytes.subarray(offset, offset + 1024));
  // A byte stream, as node:http hands the engine a body.
  const body = Readable.from(pieces, { objectMode: false });
  const parts = readUpstreamStream(openAIProvider, createStreamTransform(openAIProvider, streamed), createSseDecoder(), body);
  await parts.ready();
  let seen = 0;
  for await (const part of parts) seen += part.choices.length;
  return seen;
}

const events = 200;
const whole = call(false);
const streamed = call(true);
const batch = { ...whole, params: parseCompletionRequest({ ...body, prompt: ['a', 'b', 'c', 'd'], n: 2 }) };
const results = [
  await measure('request: validate the body (zod)', 20_000, () => parseCompletionRequest({ ...body })),
  await measure('request: plan + map parameters + build upstream request', 20_000, () => buildUpstreamRequest(openAIProvider, whole, planFanOut(openAIProvider, whole).mapped)),
  await measure('response: JSON.parse + parse + render + stringify', 20_000, () =>
    JSON.stringify(renderResponse(openAIProvider.parseResponse(parseUpstreamJson(responseText, 'openai'), whole), { model: 'm' })),
  ),
  await measure('stream event: transform only (JSON.parse + schema + map)', 50_000, () => {
    const transform = createStreamTransform(openAIProvider, streamed);
    return transform.transform({ kind: 'sse', event: undefined, data: chunkText });
  }),
  await measure('stream event: encode one OpenAI chunk', 50_000, () => encodeSseData({ id: 'x', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: ' is', logprobs: null, finish_reason: null }] })),
  await measure(`stream event: decode + transform + render (${events}-event stream, per event)`, 100, () => streamEvents(events)).then(([label, us]) => [label, us / events] as [string, number]),
  await measure(`stream event: the engine's upstream body → parts (${events}-event stream, per event)`, 100, () => engineStream(events)).then(([label, us]) => [label, us / events] as [string, number]),
  await measure('fan-out plan: 4 prompts × n=2 to ollama', 20_000, () => planFanOut(ollamaProvider, batch)),
];
const plan = planFanOut(ollamaProvider, batch);
const part = openAIProvider.parseResponse(JSON.parse(responseText), whole);
const partial = plan.calls.map(() => ({ kind: 'response' as const, part, warnings: [] }));
results.push(await measure('fan-out merge: 8 responses', 20_000, () => mergeResponses(plan, partial)));

console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
console.log('| operation | µs |\n| --- | ---: |');
for (const [label, us] of results) console.log(`| ${label} | ${us.toFixed(2)} |`);
