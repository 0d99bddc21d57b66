/**
 * Weighted random choice for load balancing: each option's chance is its weight over the sum;
 * a weight of 0 is never chosen (a way to drain a target without deleting it).
 *
 * @param random a number in [0, 1), injected so tests are deterministic
 * @example chooseWeighted([{ weight: 3 }, { weight: 1 }], () => 0.8) // index 1
 */
export function chooseWeighted(options: ReadonlyArray<{ weight: number }>, random: () => number): number {
  const total = options.reduce((sum, option) => sum + Math.max(0, option.weight), 0);
  if (total <= 0) throw new Error('chooseWeighted needs a positive total weight');
  let point = random() * total;
  let last = -1;
  for (const [index, option] of options.entries()) {
    if (option.weight <= 0) continue;
    last = index;
    if (point < option.weight) return index;
    point -= option.weight;
  }
  // Floating-point remainder at the very top of the range: the last weighted option.
  return last;
}
