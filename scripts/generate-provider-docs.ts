/**
 * `npm run docs:providers`: writes docs/providers.md, the matrix of provider × parameter,
 * derived from the parameter tables of the registered providers (so a new provider appears
 * once it has a registry line). test/unit/provider-docs.test.ts fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { completionRequestSchema } from '../lib/api/completion-request.ts';
import { FAN_OUT_CONCURRENCY } from '../lib/providers/fan-out-completion.ts';
import type { MappedParameter, ParameterRule, ParameterTable } from '../lib/providers/map-parameters.ts';
import type { Provider } from '../lib/providers/provider.ts';
import { loadAllProviders } from '../lib/providers/provider-lookup.ts';

const providers = await loadAllProviders();

export const PROVIDER_DOCS_PATH = fileURLToPath(new URL('../docs/providers.md', import.meta.url));

/**
 * Where each provider's wire format is documented (docs/provider-sources.md has the notes and
 * what was guessed). `npm run docs:providers` refuses to write the file while a registered provider has none.
 */
export const PROVIDER_DOC_SOURCES: Readonly<Record<string, string>> = {
  ai21: 'https://docs.ai21.com/reference/jamba-1-6-api-ref',
  anthropic: 'https://docs.anthropic.com/en/api/messages',
  'azure-ai': 'https://learn.microsoft.com/en-us/rest/api/aifoundry/model-inference/reference/reference-model-inference-chat-completions',
  'azure-openai': 'https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#completions',
  bedrock: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html',
  cerebras: 'https://inference-docs.cerebras.ai/api-reference/completions',
  cohere: 'https://docs.cohere.com/reference/chat',
  deepinfra: 'https://docs.deepinfra.com/api-reference/openai-completions-1',
  deepseek: 'https://api-docs.deepseek.com/api/create-chat-completion, https://api-docs.deepseek.com/guides/fim_completion',
  'featherless-ai': 'https://featherless.ai/docs/completions',
  'fireworks-ai': 'https://docs.fireworks.ai/api-reference/post-completions',
  github: 'https://docs.github.com/en/rest/models/inference',
  google: 'https://ai.google.dev/api/generate-content',
  groq: 'https://console.groq.com/docs/api-reference#chat-create',
  huggingface: 'https://huggingface.co/docs/inference-providers/index, https://huggingface.co/docs/text-generation-inference/en/reference/api_reference',
  hyperbolic: 'https://docs.hyperbolic.ai/inference/text-apis',
  llamacpp: 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md',
  'lm-studio': 'https://lmstudio.ai/docs/api/openai-api',
  'mistral-ai': 'https://docs.mistral.ai/api/',
  nebius: 'https://docs.tokenfactory.nebius.com/api-reference/inference/create-completion',
  'novita-ai': 'https://novita.ai/docs/api-reference/model-apis-llm-create-completion',
  ollama: 'https://docs.ollama.com/api/openai-compatibility',
  openai: 'https://platform.openai.com/docs/api-reference/completions/create',
  openrouter: 'https://openrouter.ai/docs/api-reference/overview',
  'perplexity-ai': 'https://docs.perplexity.ai/api-reference/chat-completions-post',
  replicate: 'https://replicate.com/docs/topics/predictions/create-a-prediction',
  sagemaker: 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html',
  sambanova: 'https://docs.sambanova.ai/docs/api-reference/completions/create-completion',
  sglang: 'https://docs.sglang.ai/basic_usage/openai_api_completions.html',
  'together-ai': 'https://docs.together.ai/reference/completions-1',
  triton: 'https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/protocol/extension_generate.html',
  'vertex-ai': 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference, https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude',
  vllm: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  'workers-ai': 'https://developers.cloudflare.com/workers-ai/get-started/rest-api/',
  'x-ai': 'https://docs.x.ai/developers/rest-api-reference/inference/legacy',
};

/** Portkey's providers that are not added, and why (issue #16). */
const RETIRED = [
  '- `palm`: Google’s PaLM API (`generateText`) was shut down in 2024; Gemini replaced it (`google`, `vertex-ai`).',
  '- `anyscale`: Anyscale Endpoints, its serverless API, closed in 2024.',
  '- `lepton`: Lepton AI’s serverless API wound down after NVIDIA acquired Lepton in 2025.',
  '- `lambda`: Lambda’s Inference API (`api.lambdalabs.com`) was discontinued in 2025.',
  '- `nextbit`, `modal`: not services with a completions API of their own to build from (`modal` serves user-deployed apps: use `vllm` or `openai` with a custom host).',
];

const STRUCTURAL = new Set(['model', 'prompt', 'stream', 'stream_options']);

/** The OpenAI parameters a table can map, in the order of the request schema. */
export const MAPPED_PARAMETERS = Object.keys(completionRequestSchema().shape).filter((name) => !STRUCTURAL.has(name)) as MappedParameter[];

/** One cell: what the gateway does with `name` for a provider. */
export function describeRule(rule: ParameterRule | 'emulated' | undefined, name?: string): string {
  if (rule === 'emulated') return 'emulated';
  if (rule === undefined) return 'dropped';
  const parts: string[] = [];
  if (rule.to && rule.to !== name) parts.push(`renamed → \`${rule.to}\``);
  if (rule.range) parts.push(describeRange(rule.range));
  if (rule.transform) parts.push('converted');
  if (rule.default !== undefined) parts.push(`default ${JSON.stringify(rule.default)}`);
  return parts.length > 0 ? parts.join(', ') : 'passed';
}

/** The gateway's emulation (declared on the provider) comes before the table. */
function describeCell(provider: Provider, table: ParameterTable, parameter: MappedParameter): string {
  const emulated = (parameter === 'n' || parameter === 'echo') && provider.emulated?.[parameter];
  return describeRule(emulated ? 'emulated' : table[parameter], parameter);
}

function describePrompts(provider: Provider): [arrays: string, tokens: string] {
  return [provider.prompts.arrays ? 'passed' : 'emulated (one call per prompt)', provider.prompts.tokens ? 'passed' : 'refused (400)'];
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** The whole markdown document, deterministic for a given registry. */
export function renderProviderDocs(registry: Readonly<Record<string, Provider>> = providers): string {
  const names = Object.keys(registry).sort();
  const header = ['provider', 'prompt array', 'token prompts', ...MAPPED_PARAMETERS.map((name) => `\`${name}\``)];
  const lines = [
    '# Providers and their parameters',
    '',
    '<!-- Generated by `npm run docs:providers` from the providers in lib/providers (tables and emulation); do not edit by hand. -->',
    '',
    'What the gateway does with each OpenAI completions parameter, per provider:',
    '',
    '- **passed**: sent unchanged; **renamed → `x`**: sent under the provider’s name or path;',
    '- **clamped to a..b**: an OpenAI-valid value outside the provider’s range is clamped and listed in `x-portkey-clamped-params`;',
    '- **converted**: reshaped for the provider (e.g. a stop string into a list); **default v**: sent when the caller omits it;',
    '- **emulated**: the gateway provides it — `n` and prompt arrays by parallel calls merged with OpenAI’s choice indexing, `echo` by prepending the prompt;',
    '- **dropped**: not sent, listed in `x-portkey-dropped-params` (neutral values such as `n: 1` are dropped silently);',
    '- **refused (400)**: token-id prompts to a provider that takes only text.',
    '',
    'With `x-portkey-strict-params: true`, anything that would be dropped or clamped is a 400 naming the parameters instead.',
    '`best_of` greater than `n` is never emulated (it needs server-side ranking): it is dropped where the provider lacks it.',
    `Fan-out runs at most ${FAN_OUT_CONCURRENCY} upstream calls at once. A streamed fan-out starts once the first ${FAN_OUT_CONCURRENCY} calls have each sent their first event`,
    '(so their failures can still be retried or fall back); later calls start as earlier ones end, and a failure of theirs ends the stream',
    'with an in-band error event and no `[DONE]`.',
    '',
    row(header),
    row(header.map(() => '---')),
  ];
  for (const name of names) {
    const provider = registry[name]!;
    const table: ParameterTable | undefined = provider.parameters;
    const variants = Object.entries(provider.parameterVariants ?? {});
    // A provider whose table depends on the call (Bedrock, Mistral) has one row per table.
    if (table || variants.length === 0) {
      const cells = MAPPED_PARAMETERS.map((parameter) => (table ? describeCell(provider, table, parameter) : 'not declared'));
      lines.push(row([`\`${name}\``, ...describePrompts(provider), ...cells]));
    }
    for (const [models, variant] of variants) {
      lines.push(row([`\`${name}\` ${models}`, ...describePrompts(provider), ...MAPPED_PARAMETERS.map((parameter) => describeCell(provider, variant, parameter))]));
    }
  }
  lines.push('', '## Documentation of each provider', '', row(['provider', 'wire format documented at']), row(['---', '---']));
  for (const name of names) {
    lines.push(row([`\`${name}\``, PROVIDER_DOC_SOURCES[name] ?? 'not recorded']));
  }
  lines.push('', 'Notes per provider, with what is guessed: [provider-sources.md](provider-sources.md).', '', '## Retired', '', 'Portkey lists these; they are not added:', '', ...RETIRED, '');
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const undocumented = Object.keys(providers).filter((name) => !PROVIDER_DOC_SOURCES[name]);
  if (undocumented.length > 0) throw new Error(`No documentation source in PROVIDER_DOC_SOURCES for: ${undocumented.join(', ')}`);
  writeFileSync(PROVIDER_DOCS_PATH, renderProviderDocs());
  console.log(`wrote ${PROVIDER_DOCS_PATH}`);
}

/** `clamped to 0..1`, or `at least 1` / `at most 2` for a one-sided range. */
function describeRange([min, max]: readonly [number, number]): string {
  if (max === Infinity) return `clamped to at least ${min}`;
  if (min === -Infinity) return `clamped to at most ${max}`;
  return `clamped to ${min}..${max}`;
}
