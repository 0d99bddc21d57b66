/**
 * Stream parts → one whole part, as the renderer would have shown them: text joined per choice
 * index, the finish reason each choice ended with, logprobs concatenated, usage summed over every
 * part that reported one (a fan-out reports one per call). What a cache stores for a stream.
 */
import type { Logprobs } from '../api/completion-response.ts';
import { addUsage } from '../api/render-completion.ts';
import type { CompletionPart } from '../providers/provider.ts';

type Choice = CompletionPart['choices'][number];

interface ChoiceSoFar {
  texts: string[];
  logprobs: Logprobs | null;
  finish_reason: Choice['finish_reason'];
}

/** Adds parts as they pass; `result()` at any time. Cheap per part: texts are joined once at the end. */
export class PartAssembler {
  readonly #choices = new Map<number, ChoiceSoFar>();
  #whole: Omit<CompletionPart, 'choices'> = {};

  add(part: CompletionPart): void {
    const whole = this.#whole;
    // The renderer's rules: the first part's id, the last model named, the first fingerprint.
    if (whole.id === undefined && part.id !== undefined) whole.id = part.id;
    if (part.model) whole.model = part.model;
    if (!whole.system_fingerprint && part.system_fingerprint) whole.system_fingerprint = part.system_fingerprint;
    if (part.usage) whole.usage = whole.usage ? addUsage(whole.usage, part.usage) : part.usage;
    for (const choice of part.choices) {
      const soFar = this.#choices.get(choice.index);
      if (!soFar) {
        this.#choices.set(choice.index, { texts: [choice.text], logprobs: copyLogprobs(choice.logprobs), finish_reason: choice.finish_reason });
        continue;
      }
      soFar.texts.push(choice.text);
      if (choice.logprobs) soFar.logprobs = soFar.logprobs ? appendLogprobs(soFar.logprobs, choice.logprobs) : copyLogprobs(choice.logprobs);
      if (choice.finish_reason !== null) soFar.finish_reason = choice.finish_reason;
    }
  }

  result(): CompletionPart {
    const choices: Choice[] = [...this.#choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, soFar]) => ({ index, text: soFar.texts.join(''), logprobs: soFar.logprobs, finish_reason: soFar.finish_reason }));
    return { ...this.#whole, choices };
  }
}

/** @example assembleParts([{ choices: [{ index: 0, text: 'a', ... }] }, { choices: [{ index: 0, text: 'b', ... }] }]).choices[0].text // 'ab' */
export function assembleParts(parts: Iterable<CompletionPart>): CompletionPart {
  const assembler = new PartAssembler();
  for (const part of parts) assembler.add(part);
  return assembler.result();
}

/**
 * Whether a whole part is an answer worth keeping: at least one choice, indexes 0..n-1 with none
 * missing, and every choice finished. A null finish reason cannot prove the model was done.
 */
export function isCompleteAnswer(part: CompletionPart): boolean {
  if (part.choices.length === 0) return false;
  return part.choices.every((choice, position) => choice.index === position && choice.finish_reason !== null);
}

function copyLogprobs(logprobs: Logprobs | null): Logprobs | null {
  if (!logprobs) return null;
  const copy: Logprobs = {};
  if (logprobs.tokens) copy.tokens = [...logprobs.tokens];
  if (logprobs.token_logprobs) copy.token_logprobs = [...logprobs.token_logprobs];
  if (logprobs.top_logprobs !== undefined) copy.top_logprobs = logprobs.top_logprobs ? [...logprobs.top_logprobs] : null;
  if (logprobs.text_offset) copy.text_offset = [...logprobs.text_offset];
  return copy;
}

/** In place: each list grows by the chunk's entries (OpenAI's stream offsets are already absolute). */
function appendLogprobs(into: Logprobs, more: Logprobs): Logprobs {
  if (more.tokens) (into.tokens ??= []).push(...more.tokens);
  if (more.token_logprobs) (into.token_logprobs ??= []).push(...more.token_logprobs);
  if (more.top_logprobs) (into.top_logprobs ??= []).push(...more.top_logprobs);
  if (more.text_offset) (into.text_offset ??= []).push(...more.text_offset);
  return into;
}
