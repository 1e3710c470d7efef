import { roundBackoffMs } from '@sobot/schema';
import { OutageBreaker } from '../src';

/** mulberry32: a small seeded PRNG, so the "random" failure sequences are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds `samples` results failing with probability `ratio`; returns the sample numbers that tripped it. */
function run(breaker: OutageBreaker, ratio: number, samples: number, seed: number): number[] {
  const random = seeded(seed);
  const trips: number[] = [];
  for (let i = 1; i <= samples; i += 1) if (breaker.record(random() < ratio)) trips.push(i);
  return trips;
}

describe('OutageBreaker (60% of the last 50)', () => {
  it('trips on the 50th result when 30 of 50 failed, not before', () => {
    const breaker = new OutageBreaker();
    const results = Array.from({ length: 50 }, (_, i) => i % 5 < 3); // 3 of every 5 fail: 60%
    const trips = results.map((failed) => breaker.record(failed));
    expect(trips.slice(0, 49)).not.toContain(true);
    expect(trips[49]).toBe(true);
  });

  it('does not trip at 29 of 50 (58%)', () => {
    const breaker = new OutageBreaker();
    const results = Array.from({ length: 50 }, (_, i) => i < 29);
    expect(results.map((failed) => breaker.record(failed))).not.toContain(true);
    expect(breaker.failureRatio).toBeCloseTo(0.58);
  });

  it('looks only at the last 50: old failures slide out', () => {
    const breaker = new OutageBreaker();
    for (let i = 0; i < 29; i += 1) expect(breaker.record(true)).toBe(false);
    for (let i = 0; i < 100; i += 1) expect(breaker.record(false)).toBe(false);
    expect(breaker.failureRatio).toBe(0);
    // A fresh run of failures trips it once 30 of the last 50 have failed.
    const trips = Array.from({ length: 30 }, () => breaker.record(true));
    expect(trips.indexOf(true)).toBe(29);
  });

  it('starts a new window after tripping (it trips once per outage window, not on every result)', () => {
    const breaker = new OutageBreaker();
    const trips = Array.from({ length: 200 }, () => breaker.record(true));
    expect(trips.flatMap((t, i) => (t ? [i + 1] : []))).toEqual([50, 100, 150, 200]);
  });

  it('never trips at 20% random failures over 10,000 results', () => {
    for (const seed of [1, 2, 3]) expect(run(new OutageBreaker(), 0.2, 10_000, seed)).toEqual([]);
  });

  it('trips on a dead upstream (100%) and on a mostly dead one (80%) within the first window or two', () => {
    expect(run(new OutageBreaker(), 1, 10_000, 7)[0]).toBe(50);
    const trips = run(new OutageBreaker(), 0.8, 10_000, 7);
    expect(trips[0]).toBeLessThanOrEqual(100);
    expect(trips.length).toBeGreaterThan(150);
  });
});

describe('roundBackoffMs', () => {
  const low = () => 0;
  const high = () => 1;

  it.each([
    [1, 1_500, 2_500],
    [2, 3_000, 5_000],
    [3, 6_000, 10_000],
    [5, 24_000, 40_000],
    [6, 48_000, 60_000],
    [20, 60_000, 60_000],
  ])('round %i waits between %i and %i ms', (round, min, max) => {
    expect(roundBackoffMs(round, low)).toBe(min);
    expect(roundBackoffMs(round, high)).toBe(max);
    for (let i = 0; i < 50; i += 1) {
      const ms = roundBackoffMs(round);
      expect(ms).toBeGreaterThanOrEqual(min);
      expect(ms).toBeLessThanOrEqual(max);
    }
  });

  it('treats round 0 (or less) like round 1', () => {
    expect(roundBackoffMs(0, low)).toBe(1_500);
    expect(roundBackoffMs(-3, high)).toBe(2_500);
  });
});
