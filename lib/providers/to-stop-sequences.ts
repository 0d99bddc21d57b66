/**
 * OpenAI's `stop` is a string or up to four strings; providers that name the field
 * `stop_sequences` / `stopSequences` take only a list.
 *
 * @example toStopSequences('\n') // ['\n']
 */
export function toStopSequences(stop: string | readonly string[]): string[] {
  return typeof stop === 'string' ? [stop] : [...stop];
}
