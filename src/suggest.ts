/** "Did you mean" for mistyped commands and kinds: the closest candidate by edit distance. */

function distance(a: string, b: string): number {
  // The Levenshtein table in one flat array; a transposition ("sned") counts as one edit.
  const w = b.length + 1;
  const d = new Array<number>((a.length + 1) * w).fill(0);
  const at = (i: number, j: number) => d[i * w + j] as number;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[i * w] = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `input`, when it is close enough to be a typo.
 *
 * @example
 * closest('sned', ['send', 'start']) // 'send'
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const word = input.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(word, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  // Up to one edit in four letters: "sned" → send, "strat" → start, but "x" suggests nothing.
  return best && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** `; did you mean "send"?` or nothing. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const hit = closest(input, candidates);
  return hit ? `; did you mean "${hit}"?` : '';
}
