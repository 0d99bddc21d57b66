/** Every provider the gateway speaks, by its Portkey name. Adding one is one line here. */
import { openAIProvider } from './openai/openai-provider.ts';
import type { Provider } from './provider.ts';

export const providers: Readonly<Record<string, Provider>> = {
  openai: openAIProvider,
};

export function findProvider(name: string): Provider | undefined {
  return Object.hasOwn(providers, name) ? providers[name] : undefined;
}
