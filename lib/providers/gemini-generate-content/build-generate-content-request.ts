/**
 * The Gemini `generateContent` request shared by the Gemini API and Vertex AI: the prompt
 * becomes one user turn of `contents`, the mapped parameters go to `generationConfig`, and the
 * method is `generateContent` or `streamGenerateContent?alt=sse`. Where the call goes and how it
 * is authorised is each provider's own.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
import { setPath } from '../map-parameters.ts';
import type { ProviderCall } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';

export function buildGenerateContentBody(call: ProviderCall, mapped: Record<string, unknown>, providerName: string): Record<string, unknown> {
  const { params } = call;
  const body: Record<string, unknown> = { contents: [{ role: 'user', parts: [{ text: singleTextPrompt(params.prompt, providerName) }] }], ...mapped };
  if (params.logprobs !== undefined) {
    // Beside the mapped `logprobs`; a copy, since `mapped` is shared by every call of a fan-out.
    body.generationConfig = { ...(mapped.generationConfig as Record<string, unknown> | undefined) };
    setPath(body, 'generationConfig.responseLogprobs', true);
  }
  return body;
}

/** `generateContent`, or `streamGenerateContent?alt=sse` for a stream. */
export function generateContentMethod(stream: boolean): string {
  return stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
}
