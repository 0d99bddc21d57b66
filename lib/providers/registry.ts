/**
 * Every provider the gateway speaks, by its Portkey name. Adding one is one line here.
 *
 * Each is reached through `import()`, never a static import: in the Lambda bundle every provider
 * is then a chunk of its own (its family's shared code another), loaded by the first request that
 * names it, so a cold start compiles and evaluates none of the 35 and a container pays only for
 * the few it serves. Look providers up through provider-lookup.ts.
 */
import type { Provider } from './provider.ts';

export const providerModules = {
  openai: () => import('./openai/openai-provider.ts').then((module) => module.openAIProvider),
  'azure-openai': () => import('./azure-openai/azure-openai-provider.ts').then((module) => module.azureOpenAIProvider),
  'together-ai': () => import('./together-ai/together-ai-provider.ts').then((module) => module.togetherAIProvider),
  'fireworks-ai': () => import('./fireworks-ai/fireworks-ai-provider.ts').then((module) => module.fireworksAIProvider),
  deepinfra: () => import('./deepinfra/deepinfra-provider.ts').then((module) => module.deepInfraProvider),
  openrouter: () => import('./openrouter/openrouter-provider.ts').then((module) => module.openRouterProvider),
  ollama: () => import('./ollama/ollama-provider.ts').then((module) => module.ollamaProvider),
  vllm: () => import('./vllm/vllm-provider.ts').then((module) => module.vllmProvider),
  anthropic: () => import('./anthropic/anthropic-provider.ts').then((module) => module.anthropicProvider),
  google: () => import('./google/google-provider.ts').then((module) => module.googleProvider),
  'mistral-ai': () => import('./mistral-ai/mistral-ai-provider.ts').then((module) => module.mistralAIProvider),
  cohere: () => import('./cohere/cohere-provider.ts').then((module) => module.cohereProvider),
  bedrock: () => import('./bedrock/bedrock-provider.ts').then((module) => module.bedrockProvider),
  'x-ai': () => import('./x-ai/x-ai-provider.ts').then((module) => module.xAIProvider),
  cerebras: () => import('./cerebras/cerebras-provider.ts').then((module) => module.cerebrasProvider),
  nebius: () => import('./nebius/nebius-provider.ts').then((module) => module.nebiusProvider),
  'featherless-ai': () => import('./featherless-ai/featherless-ai-provider.ts').then((module) => module.featherlessAIProvider),
  'novita-ai': () => import('./novita-ai/novita-ai-provider.ts').then((module) => module.novitaAIProvider),
  hyperbolic: () => import('./hyperbolic/hyperbolic-provider.ts').then((module) => module.hyperbolicProvider),
  deepseek: () => import('./deepseek/deepseek-provider.ts').then((module) => module.deepSeekProvider),
  sglang: () => import('./sglang/sglang-provider.ts').then((module) => module.sglangProvider),
  'lm-studio': () => import('./lm-studio/lm-studio-provider.ts').then((module) => module.lmStudioProvider),
  llamacpp: () => import('./llamacpp/llamacpp-provider.ts').then((module) => module.llamaCppProvider),
  huggingface: () => import('./huggingface/huggingface-provider.ts').then((module) => module.huggingFaceProvider),
  groq: () => import('./groq/groq-provider.ts').then((module) => module.groqProvider),
  sambanova: () => import('./sambanova/sambanova-provider.ts').then((module) => module.sambaNovaProvider),
  'perplexity-ai': () => import('./perplexity-ai/perplexity-ai-provider.ts').then((module) => module.perplexityAIProvider),
  github: () => import('./github/github-provider.ts').then((module) => module.githubProvider),
  'azure-ai': () => import('./azure-ai/azure-ai-provider.ts').then((module) => module.azureAIProvider),
  ai21: () => import('./ai21/ai21-provider.ts').then((module) => module.ai21Provider),
  'workers-ai': () => import('./workers-ai/workers-ai-provider.ts').then((module) => module.workersAIProvider),
  sagemaker: () => import('./sagemaker/sagemaker-provider.ts').then((module) => module.sagemakerProvider),
  'vertex-ai': () => import('./vertex-ai/vertex-ai-provider.ts').then((module) => module.vertexAIProvider),
  triton: () => import('./triton/triton-provider.ts').then((module) => module.tritonProvider),
  replicate: () => import('./replicate/replicate-provider.ts').then((module) => module.replicateProvider),
} satisfies Record<string, () => Promise<Provider>>;
