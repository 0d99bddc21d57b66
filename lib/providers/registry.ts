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
};

export function findProvider(name: string): Provider | undefined {
  return Object.hasOwn(providers, name) ? providers[name] : undefined;
}
