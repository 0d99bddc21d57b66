/**
 * Azure AI Foundry's model inference API: chat completions only (its `/completions` answered
 * only some serverless deployments), the prompt as one user turn, `api-version` in the query.
 * The endpoint is Portkey's `azure_foundry_url` (`https://{resource}.services.ai.azure.com/models`),
 * or built from `azure_resource_name`; either must be an Azure AI host (validated here, since it
 * forms the URL the key is sent to). A key goes as Bearer, which the API accepts beside `api-key`.
 * @see https://learn.microsoft.com/en-us/rest/api/aifoundry/model-inference/reference/reference-model-inference-chat-completions
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';

/** The model inference API version of its reference; callers choose another with x-portkey-azure-api-version. */
const AZURE_AI_DEFAULT_API_VERSION = '2024-05-01-preview';
/** Azure AI Foundry / AI Services / Azure OpenAI resource hosts, nothing else. */
const FOUNDRY_URL = /^https:\/\/[a-z0-9][a-z0-9-]{0,62}\.(services\.ai|cognitiveservices|openai)\.azure\.com(\/[a-z0-9/-]*)?$/i;
const RESOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/i;

export const azureAIProvider = createOpenAIChatProvider({
  name: 'azure-ai',
  baseUrl: foundryUrl,
  path: ({ target }) => `/chat/completions?api-version=${encodeURIComponent(target.azure_api_version ?? AZURE_AI_DEFAULT_API_VERSION)}`,
  nativeN: false,
  unsupported: ['logit_bias', 'user'],
});

function foundryUrl(target: ProviderTarget): string {
  const url = target.azure_foundry_url?.replace(/\/+$/, '');
  if (url !== undefined) {
    if (FOUNDRY_URL.test(url)) return url;
    throw new InvalidRequestError('azure_foundry_url must be an https Azure AI endpoint, e.g. https://my-resource.services.ai.azure.com/models.', {
      param: 'x-portkey-azure-foundry-url',
      code: 'invalid_provider_field',
    });
  }
  const resource = target.azure_resource_name;
  if (resource !== undefined && RESOURCE_NAME.test(resource)) return `https://${resource}.services.ai.azure.com/models`;
  throw new InvalidRequestError('azure-ai needs azure_foundry_url (header x-portkey-azure-foundry-url) or a valid azure_resource_name.', {
    param: 'x-portkey-azure-foundry-url',
    code: resource === undefined ? 'missing_provider_field' : 'invalid_provider_field',
  });
}
