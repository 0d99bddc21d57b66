/**
 * Whether an Azure OpenAI `api-version` takes `stream_options` on completions. The GA inference
 * spec first lists it in 2024-10-21; 2024-06-01 and older GA versions do not, and Azure answers
 * such a request with 400 "Unknown parameter: 'stream_options'". Previews: from 2024-09-01-preview
 * (Microsoft's Q&A answer; the preview specs were not all read). A version that is not a date
 * (`v1`, `preview`, `latest`) is Azure's current API and takes it.
 * @see https://github.com/Azure/azure-rest-api-specs/blob/main/specification/cognitiveservices/data-plane/AzureOpenAI/inference/stable/2024-10-21/inference.yaml (createCompletionRequest.stream_options)
 * @see https://github.com/Azure/azure-rest-api-specs/blob/main/specification/cognitiveservices/data-plane/AzureOpenAI/inference/stable/2024-06-01/inference.yaml (no stream_options)
 * @see https://learn.microsoft.com/en-us/answers/questions/2007680/why-is-the-token-usage-event-available-in-the-stre
 * @example azureTakesStreamOptions('2024-06-01') // false
 * @example azureTakesStreamOptions('2024-10-21') // true
 */
export function azureTakesStreamOptions(apiVersion: string): boolean {
  const dated = /^(\d{4}-\d{2}-\d{2})(-preview)?$/.exec(apiVersion);
  if (!dated) return true;
  const [, date, preview] = dated;
  return date! >= (preview ? '2024-09-01' : '2024-10-21');
}
