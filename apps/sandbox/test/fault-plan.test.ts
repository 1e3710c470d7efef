import { DEFAULT_FAULTS, mergeFaults, planFaults } from '../src/faults';
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
