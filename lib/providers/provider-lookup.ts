/**
 * Looks a provider up by its Portkey name, loading its module on first use (registry.ts). Whether
 * a name is known needs no provider code, so a config naming an unknown provider is refused
 * without loading any.
 */
import type { Provider } from './provider.ts';
import { providerModules } from './registry.ts';

type LoadProvider = () => Promise<Provider>;
const modules: Readonly<Record<string, LoadProvider>> = providerModules;

/** Every provider's name, in the registry's order: unknown-provider errors list them. */
export const providerNames: readonly string[] = Object.keys(modules);

export function isKnownProvider(name: string): boolean {
  return Object.hasOwn(modules, name);
}

const loading = new Map<string, Promise<Provider>>();

/**
 * The provider named `name` (undefined when unknown), loaded once per process.
 *
 * @example const provider = await loadProvider('openai');
 */
export function loadProvider(name: string): Promise<Provider | undefined> {
  if (!isKnownProvider(name)) return Promise.resolve(undefined);
  let provider = loading.get(name);
  if (!provider) {
    provider = modules[name]!();
    loading.set(name, provider);
    // A module that failed to load (a missing chunk) is tried again by the next request.
    provider.catch(() => loading.delete(name));
  }
  return provider;
}

/** Every provider, loaded: for the docs generator and tests that walk them all, never the request path. */
export async function loadAllProviders(): Promise<Readonly<Record<string, Provider>>> {
  const loaded = await Promise.all(providerNames.map(async (name) => [name, (await loadProvider(name))!] as const));
  return Object.fromEntries(loaded);
}
