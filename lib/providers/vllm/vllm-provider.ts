/**
 * vLLM (or any OpenAI-compatible server) at the caller's custom host: "we support all
 * parameters except suffix". There is no default host, so a request without one is a 400.
 * @see https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html
 */
import { InvalidRequestError } from '../../api/errors.ts';
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const vllmProvider = createOpenAICompatibleProvider({
  name: 'vllm',
  baseUrl: () => {
    throw new InvalidRequestError('vllm needs the server’s address: set x-portkey-custom-host (e.g. http://my-vllm:8000/v1) or custom_host in the config.', {
      param: 'x-portkey-custom-host',
      code: 'missing_custom_host',
    });
  },
  prompts: { arrays: true, tokens: true },
  unsupported: ['suffix'],
});
