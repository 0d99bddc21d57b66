/**
 * Replicate: one prediction in one call, with `Prefer: wait` (Replicate holds the request until
 * the prediction finishes, up to 60 s). `owner/name` runs an official model
 * (`POST /models/{owner}/{name}/predictions`); `owner/name:version` a version
 * (`POST /predictions` with `version`). Inputs are the names of the official Meta Llama 3.x
 * models' schema (`prompt`, `max_tokens`, `temperature`, `top_p`, `presence_penalty`,
 * `frequency_penalty`, `stop_sequences` as a comma list): a model whose schema names them
 * otherwise needs `override_params`. Streaming is refused (400): Replicate streams
 * from a second URL its first answer names, a host the gateway would not have chosen.
 * Usage is `metrics.input_token_count` / `output_token_count`; no finish reason is reported, so
 * `length` when the output used every token asked for, `stop` otherwise (guessed).
 * @see https://replicate.com/docs/topics/predictions/create-a-prediction
 * @see https://replicate.com/docs/reference/http#models.predictions.create
 * @see https://replicate.com/meta/meta-llama-3.1-405b-instruct (the input schema)
 */
import { InvalidRequestError, UpstreamError } from '../../api/errors.ts';
import { z } from '../../api/zod.ts';
import { bearerAuth } from '../bearer-auth.ts';
import type { ParameterTable } from '../map-parameters.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

const NAME = 'replicate';
const MODEL = /^([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)(?::([a-f0-9]{64}))?$/i;

export const replicateParameters = {
  max_tokens: { to: 'input.max_tokens' },
  temperature: { to: 'input.temperature' },
  top_p: { to: 'input.top_p' },
  presence_penalty: { to: 'input.presence_penalty' },
  frequency_penalty: { to: 'input.frequency_penalty' },
  stop: { to: 'input.stop_sequences', transform: (stop: string | string[]) => toStopSequences(stop).join(',') },
} as const satisfies ParameterTable;

const predictionSchema = z.object({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  status: z.string(),
  output: z.nullish(z.union([z.array(z.string()), z.string()])),
  error: z.nullish(z.unknown()),
  metrics: z.nullish(z.object({ input_token_count: z.nullish(z.number()), output_token_count: z.nullish(z.number()) })),
});

export const replicateProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'event: done',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameters: replicateParameters,
  baseUrl: () => 'https://api.replicate.com/v1',

  buildRequest(call, mapped) {
    if (call.stream) {
      throw new InvalidRequestError('replicate streams from a second URL its first answer names; the gateway does not follow it. Send the request without stream.', {
        param: 'stream',
        code: 'unsupported_parameter',
      });
    }
    const match = MODEL.exec(call.params.model);
    if (!match) throw new InvalidRequestError('replicate models are named owner/name or owner/name:version.', { param: 'model', code: 'invalid_model' });
    const input = { prompt: singleTextPrompt(call.params.prompt, NAME), ...(mapped.input as Record<string, unknown> | undefined) };
    const [, owner, name, version] = match;
    const headers = { ...bearerAuth(call.target), prefer: 'wait' };
    if (version) return { path: '/predictions', headers, body: { version, input } };
    return { path: `/models/${owner}/${name}/predictions`, headers, body: { input } };
  },

  parseResponse(raw, call) {
    const prediction = expectShape(predictionSchema, raw, NAME);
    if (prediction.status !== 'succeeded') {
      // `starting`/`processing`: the 60 s wait ran out; `failed`/`canceled`: no answer will come.
      const waiting = prediction.status === 'starting' || prediction.status === 'processing';
      const detail = typeof prediction.error === 'string' ? `: ${prediction.error}` : '';
      throw new UpstreamError(`replicate prediction ${prediction.status}${detail}`, {
        provider: NAME,
        statusCode: waiting ? 504 : 502,
        code: waiting ? 'prediction_not_finished' : `prediction_${prediction.status}`,
      });
    }
    const text = Array.isArray(prediction.output) ? prediction.output.join('') : (prediction.output ?? '');
    const prompt = prediction.metrics?.input_token_count ?? 0;
    const completion = prediction.metrics?.output_token_count ?? 0;
    const asked = call.params.max_tokens;
    return {
      ...(prediction.id ? { id: prediction.id } : {}),
      ...(prediction.model ? { model: prediction.model } : {}),
      choices: [{ index: 0, text, logprobs: null, finish_reason: asked != null && completion >= asked ? 'length' : 'stop' }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
  },

  createStreamReader() {
    // Unreachable: buildRequest refuses a stream before any call.
    throw new InvalidRequestError('replicate does not stream through the gateway.', { param: 'stream', code: 'unsupported_parameter' });
  },
};
