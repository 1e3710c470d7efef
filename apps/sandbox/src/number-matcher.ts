/**
 * Numbers or prefixes (`9199*`) mapped to a value; the most specific entry wins: an exact number, then
 * the longest prefix. A lookup costs one map read per distinct prefix length, however many entries
 * there are, so thousands of patterns do not slow the send path.
 */
export class NumberMatcher<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefixes = new Map<string, T>();
  /** Distinct prefix lengths, longest first. */
  private readonly lengths: number[] = [];

  /** Later entries replace earlier ones for the same pattern. */
  constructor(entries: Iterable<readonly [pattern: string, value: T]>) {
    for (const [pattern, value] of entries) {
      if (pattern.endsWith('*')) this.prefixes.set(pattern.slice(0, -1), value);
      else this.exact.set(pattern, value);
    }
    const lengths = new Set([...this.prefixes.keys()].map((p) => p.length));
    this.lengths = [...lengths].sort((a, b) => b - a);
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.prefixes.size === 0;
  }

  match(number: string): T | undefined {
    const hit = this.exact.get(number);
    if (hit !== undefined) return hit;
    for (const length of this.lengths) {
      if (length > number.length) continue;
      const value = this.prefixes.get(number.slice(0, length));
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
