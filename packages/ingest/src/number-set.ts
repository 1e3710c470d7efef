/**
 * A set of non-negative safe integers in one open-addressing table (linear probing, load ≤ 1/2) backed by a
 * Float64Array: 8 bytes a slot, so a million numbers take 16 MiB where a Set of strings takes ten times that.
 */
export class NumberSet {
  private slots: Float64Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Float64Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds `n`; false when it was already there. */
  add(n: number): boolean {
    if (!(isSafeInteger(n) && n >= 0)) throw new RangeError(`NumberSet holds non-negative safe integers (got ${n})`);
    const { slots, mask } = this;
    for (let i = hash(n) & mask; ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === n) return false;
      if (v === EMPTY) {
        slots[i] = n;
        if (++this.count * 2 > slots.length) this.grow();
        return true;
      }
    }
  }

  has(n: number): boolean {
    const { slots, mask } = this;
    for (let i = hash(n) & mask; ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === n) return true;
      if (v === EMPTY) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Float64Array(old.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (const v of old) {
      if (v === EMPTY) continue;
      let i = hash(v) & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = v;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

const EMPTY = -1;
const TWO_32 = 2 ** 32;
// Bound once: under jest every global lookup goes through a Proxy, which made `Math.imul` the hot spot.
const { imul, floor } = Math;
const { isSafeInteger } = Number;

/** Murmur3's finaliser over both 32-bit halves: sequential numbers must not land in sequential slots. */
function hash(n: number): number {
  let h = imul(n >>> 0, 0x9e3779b1) ^ imul(floor(n / TWO_32) + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A distinct safe integer for every string of at most 15 digits. Leading zeros matter ("0123…" is not "123…"),
 * so a string with k leading zeros (whose rest is below 10^(15-k)) is shifted into its own range, past the ranges
 * of fewer zeros; the largest key stays below 1.12e15, well inside a double's exact integers.
 */
export function numberKey(digits: string): number {
  if (digits.length > 15 || !/^\d+$/.test(digits)) throw new RangeError(`expected at most 15 digits (got "${digits}")`);
  let zeros = 0;
  while (zeros < digits.length && digits.charCodeAt(zeros) === 48) zeros++;
  let offset = 0;
  for (let k = 0; k < zeros; k++) offset += 10 ** (15 - k);
  return Number(digits) + offset;
}
