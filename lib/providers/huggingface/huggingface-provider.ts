/**
 * Hugging Face: by default its Inference Providers router (`router.huggingface.co/v1`, chat
 * completions only: the prompt as one user turn); with a custom host, a TGI server or Inference
 * Endpoint, whose `/v1/completions` is a true completion. (Portkey's `huggingface_base_url`
 * is this custom host; its default `api-inference.huggingface.co` is retired.) Bearer `hf_…` token.
 * @see https://huggingface.co/docs/inference-providers/index
 * @see https://huggingface.co/docs/text-generation-inference/en/reference/api_reference
 */
import { chooseWireFormat } from '../openai-chat/choose-wire-format.ts';
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

const ROUTER_BASE_URL = 'https://router.huggingface.co/v1';

const router = createOpenAIChatProvider({
  name: 'huggingface',
  baseUrl: ROUTER_BASE_URL,
  nativeN: false,
  unsupported: ['logit_bias', 'user'],
});

/** TGI's OpenAI completions: the sampling parameters and `seed`, nothing about logprobs or penalties beyond frequency. */
const tgi = createOpenAICompatibleProvider({
  name: 'huggingface',
  baseUrl: ROUTER_BASE_URL,
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'logprobs', 'presence_penalty', 'suffix', 'user'],
  emulated: ['n', 'echo'],
});

export const huggingFaceProvider = chooseWireFormat({
  name: 'huggingface',
  formats: { 'router chat completions (no custom host)': router, 'TGI / Inference Endpoint completions (custom host)': tgi },
  choose: ({ target }) => (target.custom_host !== undefined ? tgi : router),
  baseUrl: () => ROUTER_BASE_URL,
});
