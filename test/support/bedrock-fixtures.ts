/**
 * The recorded Bedrock bodies in lib/providers/bedrock/__fixtures__/ (each names its AWS docs page in `source`),
 * with what each family must send for the same OpenAI request. Shared by the unit and the
 * integration tests.
 */
import { readFileSync } from 'node:fs';

export interface BedrockFixture {
  source: string;
  model: string;
  response: unknown;
  /** InvokeModel stream: the model's chunks (sent base64 in `{"bytes"}` frames). */
  chunks?: unknown[];
  /** ConverseStream: `[eventType, payload]` pairs. */
  events?: Array<[string, unknown]>;
}

export const FAMILIES = ['anthropic', 'meta', 'mistral', 'titan', 'nova', 'cohere', 'deepseek', 'converse'] as const;
export type FamilyName = (typeof FAMILIES)[number];

export function loadFixture(family: FamilyName): BedrockFixture {
  return JSON.parse(readFileSync(new URL(`../../lib/providers/bedrock/__fixtures__/bedrock-${family}.json`, import.meta.url), 'utf8')) as BedrockFixture;
}

export const PROMPT = 'What is the capital of France?';

/** The OpenAI request every family is tested with: temperature above Bedrock's 0..1, one stop. */
export const REQUEST = { prompt: PROMPT, max_tokens: 4, temperature: 1.5, top_p: 0.9, stop: ['\n\n'] };

/** What each family must send for REQUEST, from the docs' request schemas. */
export const EXPECTED_BODIES: Record<FamilyName, unknown> = {
  anthropic: {
    anthropic_version: 'bedrock-2023-05-31',
    messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }],
    max_tokens: 4,
    temperature: 1,
    top_p: 0.9,
    stop_sequences: ['\n\n'],
  },
  meta: { prompt: PROMPT, max_gen_len: 4, temperature: 1, top_p: 0.9 },
  mistral: { prompt: PROMPT, max_tokens: 4, stop: ['\n\n'], temperature: 1, top_p: 0.9 },
  titan: { inputText: PROMPT, textGenerationConfig: { maxTokenCount: 4, stopSequences: ['\n\n'], temperature: 1, topP: 0.9 } },
  nova: { messages: [{ role: 'user', content: [{ text: PROMPT }] }], inferenceConfig: { maxTokens: 4, stopSequences: ['\n\n'], temperature: 1, topP: 0.9 } },
  cohere: { message: PROMPT, max_tokens: 4, temperature: 1, p: 0.9, stop_sequences: ['\n\n'] },
  deepseek: { prompt: PROMPT, max_tokens: 4, stop: ['\n\n'], temperature: 1, top_p: 0.9 },
  converse: { messages: [{ role: 'user', content: [{ text: PROMPT }] }], inferenceConfig: { maxTokens: 4, stopSequences: ['\n\n'], temperature: 1, topP: 0.9 } },
};

/** The whole response text and usage of each fixture (non-streamed). */
export const EXPECTED_RESPONSES: Record<FamilyName, { text: string; usage: [number, number] | 'headers' }> = {
  anthropic: { text: 'Hello! How can I help you today?', usage: [10, 12] },
  meta: { text: ' Paris is the capital of France.', usage: [10, 8] },
  mistral: { text: ' Paris is the capital of France.', usage: 'headers' },
  titan: { text: '\nParis is the capital of France.', usage: [10, 8] },
  nova: { text: 'Paris is the capital of France.', usage: [10, 8] },
  cohere: { text: 'Paris is the capital of France.', usage: 'headers' },
  deepseek: { text: 'Paris is the capital of France.', usage: 'headers' },
  converse: { text: 'Paris is the capital of France.', usage: [10, 8] },
};

/** Every stream fixture stops for length after 4 tokens of an 11-token prompt. */
export const EXPECTED_STREAM_TEXT: Record<FamilyName, string> = {
  anthropic: 'Hello!',
  meta: ' Paris is',
  mistral: ' Paris is',
  titan: '\nParis is',
  nova: 'Paris is',
  cohere: 'Paris is',
  deepseek: 'Paris is',
  converse: 'Paris is',
};

/** Families whose JSON carries no token counts: Bedrock's response headers do. */
export const TOKEN_COUNT_HEADERS = { 'x-amzn-bedrock-input-token-count': '10', 'x-amzn-bedrock-output-token-count': '8' };
