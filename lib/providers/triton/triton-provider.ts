/**
 * NVIDIA Triton Inference Server's generate extension, as Portkey calls it: the custom host is
 * the model's URL (`http://host:8000/v2/models/{model}`), the gateway posts to `{host}/generate`
 * or `{host}/generate_stream`. Input names are the TensorRT-LLM ensemble's (`text_input`,
 * `max_tokens`, `stop_words`, `bad_words`, `temperature`, `top_p`); other backends name their
 * inputs otherwise. Triton reports neither a finish reason (`stop` is assumed) nor usage (the
 * gateway counts), and its stream has no end marker (the extension's page: each response is one
 * SSE "data" chunk, an error may come as `{"error": ...}` after a 200, nothing marks the last):
 * a stream cut short cannot be told from a finished one.
 * @see https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/protocol/extension_generate.html
 */
import { UpstreamError } from '../../api/errors.ts';
import { bearerAuth } from '../bearer-auth.ts';
import type { ParameterTable } from '../map-parameters.ts';
import { expectShape, parseUpstreamJson } from '../parse-upstream-json.ts';
import type { Provider, StreamReader } from '../provider.ts';
import { requireCustomHost } from '../self-hosted/require-custom-host.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { toStopSequences } from '../to-stop-sequences.ts';
import { z } from '../../api/zod.ts';

const NAME = 'triton';

export const tritonParameters = {
  max_tokens: { range: [1, Infinity], default: 16 },
  stop: { to: 'stop_words', transform: toStopSequences },
  temperature: {},
  top_p: {},
} as const satisfies ParameterTable;

const outputSchema = z.object({ text_output: z.string() });
const errorSchema = z.object({ error: z.string() });

export const tritonProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'the end of the stream',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameters: tritonParameters,
  baseUrl: requireCustomHost(NAME, 'http://my-triton:8000/v2/models/ensemble'),

  buildRequest(call, mapped) {
    // `bad_words` as Portkey sends it: the ensemble's preprocessing expects the input present.
    const body: Record<string, unknown> = { text_input: singleTextPrompt(call.params.prompt, NAME), ...mapped, bad_words: [''] };
    if (call.stream) body.stream = true;
    return { path: call.stream ? '/generate_stream' : '/generate', headers: bearerAuth(call.target), body };
  },

  parseResponse(raw) {
    const { text_output: text } = expectShape(outputSchema, raw, NAME);
    return { choices: [{ index: 0, text, logprobs: null, finish_reason: 'stop' }] };
  },

  createStreamReader(): StreamReader {
    return {
      read(event) {
        if (event.kind !== 'sse') return [];
        const json = parseUpstreamJson(event.data, NAME);
        const error = errorSchema.safeParse(json);
        if (error.success) throw new UpstreamError(`triton stream error: ${error.data.error}`, { provider: NAME, statusCode: 502, code: 'upstream_stream_error' });
        const { text_output: text } = expectShape(outputSchema, json, NAME);
        return text ? [{ choices: [{ index: 0, text, logprobs: null, finish_reason: null }] }] : [];
      },
      // No end marker exists, so the end of the body is the end of the answer.
      end: () => [{ choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }] }],
    };
  },

  errorFormat: { schema: errorSchema, toFields: (data: { error: string }) => ({ message: data.error }) },
};
