/**
 * Error answers and log lines must not grow with the input (issue #11 item 10): a 1 MB body of
 * bad values once gave a 4 MB answer. A message lists at most a few problems, each cut short,
 * and says how many more there were; quoted caller values are cut the same way.
 */
export const MAX_LISTED_PROBLEMS = 8;
export const MAX_PROBLEM_LENGTH = 200;
export const MAX_QUOTED_LENGTH = 64;

/**
 * @example listProblems(['a: bad', 'b: bad', ...]) // 'a: bad; b: bad; …; and 7 more'
 */
export function listProblems(problems: readonly string[], limit = MAX_LISTED_PROBLEMS): string {
  const shown = problems.slice(0, limit).map((problem) => truncate(problem, MAX_PROBLEM_LENGTH));
  const more = problems.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** `text`, cut to `max` characters with an ellipsis when longer. */
export function truncate(text: string, max = MAX_QUOTED_LENGTH): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
