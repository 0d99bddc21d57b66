/**
 * OpenAI's own examples of a text completion and a stream chunk, shared by the tests that need
 * an OpenAI-compatible upstream to answer something real.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 * @see https://platform.openai.com/docs/api-reference/completions/object
 */
export const OPENAI_COMPLETION = {
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  system_fingerprint: 'fp_44709d6fcb',
  choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
};

/** One chunk of OpenAI's streamed example, with the given text and finish reason. */
export function openAIChunk(text: string, finish: string | null = null) {
  return {
    id: 'cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe',
    object: 'text_completion',
    created: 1690759702,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    model: 'gpt-3.5-turbo-instruct',
    system_fingerprint: 'fp_44709d6fcb',
  };
}
