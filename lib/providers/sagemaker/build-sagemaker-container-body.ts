/**
 * The request body a SageMaker endpoint's container takes, per container family, chosen by the
 * target's `sagemaker_container` field (the gateway's own name: Portkey forwards raw bodies and
 * has none):
 * - `tgi`: Hugging Face TGI (the "HF LLM" DLC): `{inputs, parameters, stream}`.
 * - `lmi`: AWS Large Model Inference (DJL Serving; vLLM / TensorRT-LLM / lmi-dist backends):
 *   the same envelope, its own parameter names (`stop_sequences`, `do_sample`).
 * - `openai`: containers that serve OpenAI's completions body on `/invocations` (vLLM's own
 *   image, SGLang, LMI with its OpenAI schema): the OpenAI parameters as they are.
 * @see https://huggingface.co/docs/text-generation-inference/en/reference/api_reference
 * @see https://docs.djl.ai/docs/serving/serving/docs/lmi/user_guides/lmi_input_output_schema.html
 * @see https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html
 */
import type { CompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError } from '../../api/errors.ts';
import { mapParameters, type MappingWarning, type ParameterTable } from '../map-parameters.ts';
import { defineOpenAICompatibleTable } from '../openai-compatible/openai-completion-parameters.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

export const sagemakerContainers = ['tgi', 'lmi', 'openai'] as const;
export type SageMakerContainer = (typeof sagemakerContainers)[number];

/** OpenAI's own default, sent because TGI's (100) and LMI's (30) differ from it. */
const OPENAI_DEFAULT_MAX_TOKENS = 16;

/** Temperature 0 is OpenAI's greedy decoding; TGI refuses 0 and decodes greedily when it is absent. */
const greedyWhenZero = (temperature: number) => (temperature === 0 ? undefined : temperature);
/** TGI refuses top_p 1 (it wants 0 < top_p < 1); 1 means "no nucleus cut", i.e. absent. */
const absentWhenOne = (topP: number) => (topP >= 1 ? undefined : topP);

/**
 * TGI `parameters`. Dropped: `logprobs` (TGI's `top_n_tokens` differs in shape and is not
 * mapped yet), `best_of` (needs sampling and returns one sequence), `presence_penalty`,
 * `logit_bias`, `user`, `suffix`.
 */
export const tgiParameters = {
  max_tokens: { to: 'parameters.max_new_tokens', range: [1, Number.MAX_SAFE_INTEGER], default: OPENAI_DEFAULT_MAX_TOKENS },
  temperature: { to: 'parameters.temperature', transform: greedyWhenZero },
  top_p: { to: 'parameters.top_p', range: [0.001, 1], transform: absentWhenOne },
  stop: { to: 'parameters.stop', transform: toStopSequences },
  seed: { to: 'parameters.seed' },
  frequency_penalty: { to: 'parameters.frequency_penalty' },
} as const satisfies ParameterTable;

/**
 * LMI `parameters`: the names every backend takes, plus the two penalties its vLLM and
 * TensorRT-LLM backends document (a backend without them ignores them).
 */
export const lmiParameters = {
  max_tokens: { to: 'parameters.max_new_tokens', range: [1, Number.MAX_SAFE_INTEGER], default: OPENAI_DEFAULT_MAX_TOKENS },
  temperature: { to: 'parameters.temperature', transform: greedyWhenZero },
  top_p: { to: 'parameters.top_p' },
  stop: { to: 'parameters.stop_sequences', transform: toStopSequences },
  seed: { to: 'parameters.seed' },
  frequency_penalty: { to: 'parameters.frequency_penalty' },
  presence_penalty: { to: 'parameters.presence_penalty' },
} as const satisfies ParameterTable;

/** OpenAI-style containers take OpenAI's names; only `suffix` (no FIM on vLLM) is dropped. */
export const openAIContainerParameters = defineOpenAICompatibleTable({ unsupported: ['suffix'] });

export const sagemakerParameterTables = {
  tgi: tgiParameters,
  lmi: lmiParameters,
  openai: openAIContainerParameters,
} as const satisfies Record<SageMakerContainer, ParameterTable>;

export interface SageMakerBodyOptions {
  container: SageMakerContainer;
  /** One text prompt (`tgi`/`lmi`); the engine fans out arrays. `openai` passes what it is given. */
  prompt: CompletionRequest['prompt'];
  stream: boolean;
  /** Sent as `model` to an `openai` container; omitted when undefined (vLLM then uses its one model). */
  model?: string | undefined;
  /** Whether an `openai` container's stream is asked for usage (`stream_options`); default true. */
  streamUsage?: boolean;
  strict?: boolean;
}

/**
 * @example
 * buildSageMakerContainerBody({ model: 'x', prompt: 'Hi', max_tokens: 5, stop: '\n' }, { container: 'tgi', prompt: 'Hi', stream: true })
 * // { body: { inputs: 'Hi', parameters: { max_new_tokens: 5, stop: ['\n'], details: true, return_full_text: false }, stream: true }, warnings: [] }
 */
export function buildSageMakerContainerBody(
  params: CompletionRequest,
  options: SageMakerBodyOptions,
): { body: Record<string, unknown>; warnings: MappingWarning[] } {
  const provider = `sagemaker (${options.container})`;
  const mapped = mapParameters(params, sagemakerParameterTables[options.container], { provider });
  // Until this module is a provider of the engine (whose planner refuses in strict mode), it refuses itself.
  if (options.strict && mapped.warnings.length > 0) {
    const names = [...new Set(mapped.warnings.map((warning) => warning.param))];
    throw new UnsupportedParameterError(`Strict parameters: ${mapped.warnings.map((warning) => warning.details).join('; ')}.`, names.join(','));
  }

  return { body: assembleSageMakerContainerBody(mapped.body, options), warnings: mapped.warnings };
}

/**
 * The container's body from parameters already mapped through its table (the engine maps once
 * per attempt): the prompt, and what each family needs besides (`details`, `do_sample`, usage).
 */
export function assembleSageMakerContainerBody(mapped: Readonly<Record<string, unknown>>, options: SageMakerBodyOptions): Record<string, unknown> {
  if (options.container === 'openai') {
    const body: Record<string, unknown> = {
      ...(options.model === undefined ? {} : { model: options.model }),
      prompt: options.prompt,
      ...mapped,
    };
    if (options.stream) {
      body.stream = true;
      // An older vLLM in the container rejects the field: the target's send_stream_options says so.
      if (options.streamUsage !== false) body.stream_options = { include_usage: true };
    }
    return body;
  }

  const parameters = { ...((mapped.parameters ?? {}) as Record<string, unknown>) };
  parameters.details = true;
  parameters.return_full_text = false;
  if (options.container === 'lmi' && (parameters.temperature !== undefined || parameters.top_p !== undefined)) {
    parameters.do_sample = true;
  }
  const body: Record<string, unknown> = { inputs: options.prompt, parameters };
  if (options.stream) body.stream = true;
  return body;
}

/** LMI streams JSON lines by default; TGI and OpenAI-style containers stream SSE. */
export function sagemakerStreamAccept(container: SageMakerContainer): string {
  return container === 'lmi' ? 'application/jsonlines' : 'text/event-stream';
}
