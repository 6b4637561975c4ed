/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), stopping past `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
  }
  return (d[rows - 1] as number[])[cols - 1] as number;
}

function deletions(word: string): string[] {
  const out = [word];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/**
 * Finds the known word one typo away from an unknown one (a letter added, dropped, changed or swapped),
 * using a deletion index so a lookup costs a handful of map reads.
 */
export class TypoIndex {
  private readonly index = new Map<string, Set<string>>();
  private readonly known = new Set<string>();
  /** No word longer than this is one typo from a known word: a long token costs nothing. */
  private longest = 0;

  constructor(words: Iterable<string>) {
    for (const word of words) {
      this.known.add(word);
      this.longest = Math.max(this.longest, word.length + 1);
      for (const variant of deletions(word)) {
        let bucket = this.index.get(variant);
        if (bucket === undefined) {
          bucket = new Set();
          this.index.set(variant, bucket);
        }
        bucket.add(word);
      }
    }
  }

  /**
   * The single known word within one typo of `word`, or undefined when there is none or it is ambiguous.
   * Three-letter words are easy to hit by accident (`dev`/`dec`), so for them only a swap or an added letter counts.
   */
  correct(word: string): string | undefined {
    const hits = this.candidates(word);
    return hits.length === 1 ? hits[0] : undefined;
  }

  /** Every known word within one typo of `word` (as {@link correct} counts typos), none when `word` is known. */
  candidates(word: string): string[] {
    if (this.known.has(word) || word.length < 3 || word.length > this.longest) return [];
    const candidates = new Set<string>();
    for (const variant of deletions(word)) {
      for (const candidate of this.index.get(variant) ?? []) candidates.add(candidate);
    }
    return [...candidates].filter((candidate) => {
      if (editDistance(word, candidate, 1) > 1) return false;
      if (candidate.length >= 4) return true;
      return word.length > candidate.length || isSwap(word, candidate);
    });
  }
}

/** True when `word` is `whole` with some of its letters left out, in order. */
export function isSubsequence(word: string, whole: string): boolean {
  let k = 0;
  for (const letter of whole) if (letter === word[k]) k++;
  return k === word.length;
}

/** True when `a` is `b` with two neighbouring letters swapped. */
export function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  return diff.length === 2 && diff[1] === (diff[0] as number) + 1 && a[diff[0] as number] === b[diff[1] as number];
}

/** Known names closest to `word`, nearest first, for "did you mean" suggestions. */
export function closest(word: string, names: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  // "frontnd-app" suggests "frontend" through its first part; each part counts, one edit dearer than the whole.
  const parts = w.split(/[-_ .]+/).filter((p) => p.length >= 4 && p !== w);
  const scored = names
    .map((name) => {
      const n = name.toLowerCase();
      // Nothing further than this counts, so distances stop there: a long word costs no more than a short one.
      const bound = Math.max(2, Math.ceil(name.length / 2));
      const affix = w.startsWith(n) || n.startsWith(w) ? 1 : Number.POSITIVE_INFINITY;
      let byPart = Number.POSITIVE_INFINITY;
      for (const p of parts) byPart = Math.min(byPart, editDistance(p, n, bound) + 1);
      return { name, bound, score: Math.min(editDistance(w, n, bound), affix, byPart) };
    })
    .filter(({ bound, score }) => score <= bound)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}
