import fc from 'fast-check';
import { DEFAULT_FAULTS, mergeFaults, planFaults } from '../src/faults';
import { NumberMatcher } from '../src/number-matcher';
import { RpsCap } from '../src/rps-cap';

describe('planFaults', () => {
  it('adds the mishap ratios up within one draw', () => {
    const plan = planFaults(mergeFaults(DEFAULT_FAULTS, { errorRatio: 0.25, rateLimitRatio: 0.25 }));
    const counts = { '429': 0, '5xx': 0, none: 0 };
    for (let i = 0; i < 10_000; i++) {
      const mishap = plan.draw();
      if (mishap === '429' || mishap === '5xx') counts[mishap]++;
      else if (mishap === undefined) counts.none++;
      else throw new Error(`unexpected ${mishap}`);
    }
    // 10,000 draws put each share within a few tenths of a percent; 5 points is a wide margin.
    expect(Math.abs(counts['429'] / 10_000 - 0.25)).toBeLessThan(0.05);
    expect(Math.abs(counts['5xx'] / 10_000 - 0.25)).toBeLessThan(0.05);
  });

  it('matches closed numbers exactly or by a trailing-* prefix', () => {
    const plan = planFaults(mergeFaults(DEFAULT_FAULTS, { closedNumbers: ['919970585556', '4471*'] }));
    expect(plan.codeFor('919970585556')).toBe(131047);
    expect(plan.codeFor('9199705855560')).toBeUndefined();
    expect(plan.codeFor('447100000001')).toBe(131047);
    expect(plan.codeFor('447200000001')).toBeUndefined();
  });

  it('adds code ratios to the same draw, after the other mishaps', () => {
    const plan = planFaults(mergeFaults(DEFAULT_FAULTS, { errorRatio: 0.2, codeRatios: { 131000: 0.3, 2: 0.1 } }));
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const key = String(plan.draw());
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, share] of [
      ['5xx', 0.2],
      ['131000', 0.3],
      ['2', 0.1],
      ['undefined', 0.4],
    ] as const) {
      expect(Math.abs((counts.get(key) ?? 0) / 10_000 - share)).toBeLessThan(0.05);
    }
    expect(counts.size).toBe(4);
    expect(planFaults(mergeFaults(DEFAULT_FAULTS, { codeRatios: { 368: 1 } })).draw()).toBe(368);
  });

  it('turns closed numbers, number codes and callback failures into lookups', () => {
    const plan = planFaults(
      mergeFaults(DEFAULT_FAULTS, {
        closedNumbers: ['4471*'],
        numberCodes: { '4471*': 131026, '9199*': 131050 },
        callbackFailures: { '9198*': 131049 },
      }),
    );
    // The same pattern in both: numberCodes wins.
    expect(plan.codeFor('447100000001')).toBe(131026);
    expect(plan.codeFor('919900000001')).toBe(131050);
    expect(plan.codeFor('919800000001')).toBeUndefined();
    expect(plan.callbackFailure('919800000001')).toBe(131049);
    expect(plan.callbackFailure('919900000001')).toBeUndefined();
    const none = planFaults(DEFAULT_FAULTS);
    expect([none.codeFor('919900000001'), none.callbackFailure('919900000001'), none.draw()]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('keeps unset keys when merging and refuses out-of-range values', () => {
    const faults = mergeFaults(mergeFaults(DEFAULT_FAULTS, { latencyMs: 5 }), {
      errorRatio: 0.5,
      latencyMs: undefined,
    });
    expect(faults).toMatchObject({ latencyMs: 5, errorRatio: 0.5 });
    expect(() => mergeFaults(faults, { latencyMs: { min: 9, max: 1 } })).toThrow();
    expect(() => mergeFaults(faults, { errorStatus: 404 })).toThrow();
  });
});

describe('RpsCap', () => {
  it('admits max requests per calendar second', () => {
    const cap = new RpsCap(2);
    expect([cap.admit(10_000), cap.admit(10_400), cap.admit(10_999)]).toEqual([true, true, false]);
    expect([cap.admit(11_000), cap.admit(11_001), cap.admit(11_002)]).toEqual([true, true, false]);
  });
});

describe('NumberMatcher', () => {
  /** The rule written the slow way: exact number, else the longest matching prefix. */
  function reference(entries: Array<[string, number]>, number: string): number | undefined {
    const table = new Map(entries);
    if (table.has(number)) return table.get(number);
    let best: [number, number] | undefined;
    for (const [pattern, value] of table) {
      if (!pattern.endsWith('*')) continue;
      const prefix = pattern.slice(0, -1);
      if (number.startsWith(prefix) && (!best || prefix.length > best[0])) best = [prefix.length, value];
    }
    return best?.[1];
  }

  it('finds what the exact-then-longest-prefix rule finds, for any patterns and number', () => {
    // A small alphabet makes shared prefixes and hits common.
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[12]{${min},${max}}$`));
    const pattern = fc.tuple(digits(0, 6), fc.boolean()).map(([d, prefix]) => (prefix ? `${d}*` : d));
    fc.assert(
      fc.property(fc.array(fc.tuple(pattern, fc.nat()), { maxLength: 12 }), digits(0, 8), (entries, number) => {
        const matcher = new NumberMatcher(entries);
        expect(matcher.match(number)).toBe(reference(entries, number));
        expect(matcher.empty).toBe(entries.length === 0);
      }),
    );
  });
});
