/** Every provider the gateway speaks, by its Portkey name. Adding one is one line here. */
import { anthropicProvider } from './anthropic/anthropic-provider.ts';
import { bedrockProvider } from './bedrock/bedrock-provider.ts';
import { azureOpenAIProvider } from './azure-openai/azure-openai-provider.ts';
import { cohereProvider } from './cohere/cohere-provider.ts';
import { deepInfraProvider } from './deepinfra/deepinfra-provider.ts';
import { fireworksAIProvider } from './fireworks-ai/fireworks-ai-provider.ts';
import { googleProvider } from './google/google-provider.ts';
import { mistralAIProvider } from './mistral-ai/mistral-ai-provider.ts';
import { ollamaProvider } from './ollama/ollama-provider.ts';
import { openAIProvider } from './openai/openai-provider.ts';
import { openRouterProvider } from './openrouter/openrouter-provider.ts';
import { togetherAIProvider } from './together-ai/together-ai-provider.ts';
import { vllmProvider } from './vllm/vllm-provider.ts';
import { ai21Provider } from './ai21/ai21-provider.ts';
import { azureAIProvider } from './azure-ai/azure-ai-provider.ts';
import { cerebrasProvider } from './cerebras/cerebras-provider.ts';
import { deepSeekProvider } from './deepseek/deepseek-provider.ts';
import { featherlessAIProvider } from './featherless-ai/featherless-ai-provider.ts';
import { githubProvider } from './github/github-provider.ts';
import { groqProvider } from './groq/groq-provider.ts';
import { huggingFaceProvider } from './huggingface/huggingface-provider.ts';
import { hyperbolicProvider } from './hyperbolic/hyperbolic-provider.ts';
import { llamaCppProvider } from './llamacpp/llamacpp-provider.ts';
import { lmStudioProvider } from './lm-studio/lm-studio-provider.ts';
import { nebiusProvider } from './nebius/nebius-provider.ts';
import { novitaAIProvider } from './novita-ai/novita-ai-provider.ts';
import { perplexityAIProvider } from './perplexity-ai/perplexity-ai-provider.ts';
import { sambaNovaProvider } from './sambanova/sambanova-provider.ts';
import { replicateProvider } from './replicate/replicate-provider.ts';
import { sagemakerProvider } from './sagemaker/sagemaker-provider.ts';
import { sglangProvider } from './sglang/sglang-provider.ts';
import { tritonProvider } from './triton/triton-provider.ts';
import { vertexAIProvider } from './vertex-ai/vertex-ai-provider.ts';
import { workersAIProvider } from './workers-ai/workers-ai-provider.ts';
import { xAIProvider } from './x-ai/x-ai-provider.ts';
import type { Provider } from './provider.ts';

export const providers: Readonly<Record<string, Provider>> = {
  openai: openAIProvider,
  'azure-openai': azureOpenAIProvider,
  'together-ai': togetherAIProvider,
  'fireworks-ai': fireworksAIProvider,
  deepinfra: deepInfraProvider,
  openrouter: openRouterProvider,
  ollama: ollamaProvider,
  vllm: vllmProvider,
  anthropic: anthropicProvider,
  google: googleProvider,
  'mistral-ai': mistralAIProvider,
  cohere: cohereProvider,
  bedrock: bedrockProvider,
  'x-ai': xAIProvider,
  cerebras: cerebrasProvider,
  nebius: nebiusProvider,
  'featherless-ai': featherlessAIProvider,
  'novita-ai': novitaAIProvider,
  hyperbolic: hyperbolicProvider,
  deepseek: deepSeekProvider,
  sglang: sglangProvider,
  'lm-studio': lmStudioProvider,
  llamacpp: llamaCppProvider,
  huggingface: huggingFaceProvider,
  groq: groqProvider,
  sambanova: sambaNovaProvider,
  'perplexity-ai': perplexityAIProvider,
  github: githubProvider,
  'azure-ai': azureAIProvider,
  ai21: ai21Provider,
  'workers-ai': workersAIProvider,
  sagemaker: sagemakerProvider,
  'vertex-ai': vertexAIProvider,
  triton: tritonProvider,
  replicate: replicateProvider,
};

export function findProvider(name: string): Provider | undefined {
  return Object.hasOwn(providers, name) ? providers[name] : undefined;
}
