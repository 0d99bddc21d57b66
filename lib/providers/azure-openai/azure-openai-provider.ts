/**
 * Azure OpenAI: OpenAI's completions behind a per-resource host, a deployment in the path, an
 * `api-version` query and the `api-key` header. A custom host replaces
 * `https://{resource}.openai.azure.com/openai`; the deployment and version still apply.
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#completions
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';
import { azureTakesStreamOptions } from './azure-takes-stream-options.ts';

/** The GA inference version current when this was written; callers choose another with x-portkey-azure-api-version. */
const AZURE_DEFAULT_API_VERSION = '2024-10-21';

export const azureOpenAIProvider = createOpenAICompatibleProvider({
  name: 'azure-openai',
  baseUrl: (target) => `https://${required(target, 'azure_resource_name')}.openai.azure.com/openai`,
  // The resource name is validated (check-target-fields.ts); this is the last line behind it.
  expectedHost: () => /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.openai\.azure\.com$/,
  path: ({ target }) =>
    `/deployments/${encodeURIComponent(required(target, 'azure_deployment_id'))}/completions?api-version=${encodeURIComponent(target.azure_api_version ?? AZURE_DEFAULT_API_VERSION)}`,
  // Azure's completions request mirrors OpenAI's, every parameter included.
  prompts: { arrays: true, tokens: true },
  headers: (target): Record<string, string> => (target.api_key ? { 'api-key': target.api_key } : {}),
  // API versions before 2024-10-21 (previews before 2024-09-01) reject stream_options.
  streamOptions: (target) => azureTakesStreamOptions(target.azure_api_version ?? AZURE_DEFAULT_API_VERSION),
});

function required(target: ProviderTarget, field: 'azure_resource_name' | 'azure_deployment_id'): string {
  const value = target[field];
  if (value) return value;
  const header = `x-portkey-${field.replaceAll('_', '-')}`;
  throw new InvalidRequestError(`azure-openai needs ${field} (header ${header}, or in the config or virtual key).`, { param: header, code: 'missing_provider_field' });
}
