/**
 * The first of `lines` that fit in `maxChars` once joined with line breaks, followed by
 * `more(n)` when n lines were left out. Pure; for replies that list many targets.
 */
export function fitLines(lines: readonly string[], maxChars: number, more: (omitted: number) => string): string[] {
  const total = lines.reduce((sum, line) => sum + line.length + 1, 0);
  if (total <= maxChars + 1) return [...lines];
  const kept: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const tail = more(lines.length - index - 1).length + 1;
    if (used + line.length + 1 + tail > maxChars + 1) {
      return [...kept, more(lines.length - index)];
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept;
}

/** Shares `maxChars` between sections: each gets what it needs, and the long ones split what is left. */
export function shareBudget(needs: readonly number[], maxChars: number): number[] {
  const shares = needs.map(() => 0);
  let left = maxChars;
  let open = needs.map((_, index) => index);
  while (open.length > 0) {
    const even = Math.floor(left / open.length);
    const small = open.filter((index) => (needs[index] as number) <= even);
    if (small.length === 0) {
      for (const index of open) shares[index] = even;
      break;
    }
    for (const index of small) {
      shares[index] = needs[index] as number;
      left -= needs[index] as number;
    }
    open = open.filter((index) => !small.includes(index));
  }
  return shares;
}
