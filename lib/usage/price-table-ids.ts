/**
 * Our provider ids and model names, as the price table (`@pydantic/genai-prices`) spells them.
 * Pure data and string work: the table itself is loaded only when a price is needed
 * (see look-up-table-cost.ts).
 */

/**
 * Our provider id -> the table's provider id; null where the table has no such provider (DeepInfra)
 * or the model runs on the caller's own machines (Ollama, vLLM), so only a `pricing` prices it.
 */
export const PRICE_TABLE_PROVIDERS = {
  openai: 'openai',
  'azure-openai': 'azure',
  'together-ai': 'together',
  'fireworks-ai': 'fireworks',
  deepinfra: null,
  openrouter: 'openrouter',
  ollama: null,
  vllm: null,
  anthropic: 'anthropic',
  google: 'google',
  'mistral-ai': 'mistral',
  cohere: 'cohere',
  bedrock: 'aws',
  // Issue #16: the table's id where it prices the provider; null where it has none, or the model
  // runs on the caller's own machines (SGLang, LM Studio, llama.cpp, Triton, SageMaker endpoints).
  'x-ai': 'x-ai',
  cerebras: 'cerebras',
  groq: 'groq',
  deepseek: 'deepseek',
  'perplexity-ai': 'perplexity',
  'novita-ai': 'novita',
  'workers-ai': 'cloudflare',
  'vertex-ai': 'google',
  'azure-ai': 'azure',
  nebius: null,
  'featherless-ai': null,
  hyperbolic: null,
  sambanova: null,
  github: null,
  ai21: null,
  huggingface: null,
  replicate: null,
  sglang: null,
  'lm-studio': null,
  llamacpp: null,
  triton: null,
  sagemaker: null,
} as const satisfies Record<string, string | null>;

export interface PriceTableKey {
  provider: string;
  model: string;
}

/**
 * The table's provider id and model name for one of ours, or null when the table cannot know it.
 *
 * @example
 * toPriceTableKey('bedrock', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0');
 * // { provider: 'aws', model: 'us.anthropic.claude-3-haiku-20240307-v1:0' }
 */
export function toPriceTableKey(provider: string, model: string): PriceTableKey | null {
  const tableProvider = Object.hasOwn(PRICE_TABLE_PROVIDERS, provider) ? PRICE_TABLE_PROVIDERS[provider as keyof typeof PRICE_TABLE_PROVIDERS] : null;
  if (tableProvider === null) return null;
  const tableModel = toPriceTableModel(provider, model.trim());
  return tableModel ? { provider: tableProvider, model: tableModel } : null;
}

/**
 * Bedrock accepts ARNs for foundation models and inference profiles; the table knows their ids.
 * The geographic prefix (`us.`, `eu.`, `global.`) stays: the table prices global and regional
 * profiles differently. Provisioned models and application inference profiles are opaque ids with
 * the caller's own price, so they have none here.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-use.html
 */
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(foundation-model|inference-profile)\/(.+)$/;
const BEDROCK_OPAQUE_ARN = /^arn:aws[a-z-]*:bedrock:/;

function toPriceTableModel(provider: string, model: string): string | null {
  if (model === '') return null;
  switch (provider) {
    case 'bedrock': {
      const arn = BEDROCK_ARN.exec(model);
      if (arn) return arn[2]!;
      return BEDROCK_OPAQUE_ARN.test(model) ? null : model;
    }
    case 'azure-openai':
      // Azure names OpenAI's models without the dot (`gpt-35-turbo-instruct`).
      return model.replace(/^gpt-35/, 'gpt-3.5');
    case 'google':
      // Google's REST paths name models `models/gemini-…`.
      return model.replace(/^models\//, '');
    default:
      return model;
  }
}
