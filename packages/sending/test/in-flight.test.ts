import fc from 'fast-check';
import { IN_FLIGHT_POLICY, InFlightControl, InFlightSizer, littlesLaw } from '../src/in-flight';
import { Permits } from '../src/permits';

/** A clock a test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const { periodMs } = IN_FLIGHT_POLICY;

/** `count` requests of `ms` each, observed over one period; the clock ends at the next period. */
function period(sizer: InFlightSizer, clock: ReturnType<typeof manualClock>, ms: number, count = 50): void {
  for (let i = 0; i < count; i += 1) {
    sizer.observe(ms);
    clock.advance(periodMs / count);
  }
}

describe('littlesLaw (in flight = rate × time held × headroom)', () => {
  it('needs rate × latency, and more with headroom and the overhead', () => {
    expect(littlesLaw(500, 600)).toBe(Math.ceil(500 * 0.625 * IN_FLIGHT_POLICY.headroom));
    const exact = { ...IN_FLIGHT_POLICY, headroom: 1, overheadMs: 0 };
    expect(littlesLaw(1000, 1000, exact)).toBe(1000);
    expect(littlesLaw(100, 20, exact)).toBe(2);
  });

  it('never asks for less than Little’s law and grows with rate and latency', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 100_000, noNaN: true }),
        fc.double({ min: 0, max: 120_000, noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (rate, latency, more) => {
          const n = littlesLaw(rate, latency);
          expect(n).toBeGreaterThanOrEqual((rate * latency) / 1000);
          expect(littlesLaw(rate + more, latency)).toBeGreaterThanOrEqual(n);
          expect(littlesLaw(rate, latency + more)).toBeGreaterThanOrEqual(n);
        },
      ),
    );
  });
});

describe('InFlightSizer', () => {
  it('starts at the minimum (WORKER_CONCURRENCY) before any answer', () => {
    const sizer = new InFlightSizer({ ratePerSecond: 500, min: 200, max: 1000, clock: manualClock().now });
    expect(sizer.latencyMs).toBeUndefined();
    expect(sizer.limit).toBe(200);
    expect(sizer.capped).toBe(false);
  });

  it('the issue’s case: 500/s at 400–800 ms grows past 200 to what the rate needs', () => {
    const clock = manualClock();
    const sizer = new InFlightSizer({ ratePerSecond: 500, min: 200, max: 1000, clock: clock.now });
    const samples = Array.from({ length: 400 }, (_, i) => 400 + ((i * 37) % 400));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    for (const ms of samples) sizer.observe(ms);
    clock.advance(periodMs);
    expect(sizer.latencyMs).toBeCloseTo(mean, 6);
    expect(sizer.limit).toBe(littlesLaw(500, mean));
    expect(sizer.limit).toBeGreaterThanOrEqual(375);
    expect(sizer.capped).toBe(false);
  });

  it('stays within [min, max] whatever it observes, and is capped exactly when the latency asks for more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 30_000, noNaN: true }), fc.integer({ min: 0, max: 2000 })), {
          maxLength: 60,
        }),
        (rate, min, extra, steps) => {
          const clock = manualClock();
          const max = min + extra;
          const sizer = new InFlightSizer({ ratePerSecond: rate, min, max, clock: clock.now });
          for (const [ms, wait] of steps) {
            sizer.observe(ms);
            clock.advance(wait);
            expect(sizer.limit).toBeGreaterThanOrEqual(min);
            expect(sizer.limit).toBeLessThanOrEqual(max);
            expect(sizer.capped).toBe((sizer.wanted ?? 0) > max);
            if (sizer.capped) expect(sizer.limit).toBe(max);
          }
        },
      ),
    );
  });

  it('a steady latency gives Little’s law for it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 1000 }), (latency, rate) => {
        const clock = manualClock();
        const sizer = new InFlightSizer({ ratePerSecond: rate, min: 1, max: 1_000_000, clock: clock.now });
        for (let p = 0; p < 3; p += 1) period(sizer, clock, latency);
        expect(sizer.latencyMs).toBeCloseTo(latency, 6);
        expect(sizer.limit).toBe(Math.max(1, littlesLaw(rate, latency)));
      }),
    );
  });

  it('follows a rise at once and a fall half-way per period', () => {
    const clock = manualClock();
    const sizer = new InFlightSizer({ ratePerSecond: 1000, min: 8, max: 100_000, clock: clock.now });
    for (let p = 0; p < 3; p += 1) period(sizer, clock, 20);
    expect(sizer.latencyMs).toBeCloseTo(20, 6);
    // A rise counts within the period, once it has a few samples.
    for (let i = 0; i < IN_FLIGHT_POLICY.riseSamples - 1; i += 1) sizer.observe(1000);
    expect(sizer.latencyMs).toBeCloseTo(20, 6);
    sizer.observe(1000);
    expect(sizer.latencyMs).toBeCloseTo(1000, 6);
    clock.advance(periodMs);
    expect(sizer.latencyMs).toBeCloseTo(1000, 6);
    // A fall is followed half-way per period.
    period(sizer, clock, 20);
    clock.advance(1);
    expect(sizer.latencyMs).toBeCloseTo(510, 6);
    period(sizer, clock, 20);
    expect(sizer.latencyMs).toBeCloseTo(265, 6);
  });

  it('one slow answer among few does not pull the limit up for good', () => {
    const clock = manualClock();
    const sizer = new InFlightSizer({ ratePerSecond: 100, min: 8, max: 1000, clock: clock.now });
    period(sizer, clock, 20);
    sizer.observe(15_000);
    clock.advance(periodMs);
    const after = sizer.latencyMs!;
    expect(after).toBeLessThan(15_000);
    for (let p = 0; p < 8; p += 1) period(sizer, clock, 20);
    expect(sizer.latencyMs).toBeLessThan(30);
  });

  it('refuses bounds that cannot hold', () => {
    expect(() => new InFlightSizer({ ratePerSecond: 1, min: 0, max: 10 })).toThrow(RangeError);
    expect(() => new InFlightSizer({ ratePerSecond: 1, min: 20, max: 10 })).toThrow(RangeError);
  });
});

describe('InFlightControl', () => {
  function setup(max: number, backlog = { queued: 0, scheduled: 0 }) {
    const clock = manualClock();
    const sizer = new InFlightSizer({ ratePerSecond: 100, min: 2, max, clock: clock.now });
    const permits = new Permits(2);
    const notes: Array<[string, number]> = [];
    const reports: Array<{ limit: number; inUse: number; max: number }> = [];
    const control = new InFlightControl(
      sizer,
      permits,
      { backlog },
      {
        noteLimit: async (reason, now) => void notes.push([reason, now]),
        reportWorker: async (w) => void reports.push(w),
        forgetWorker: async () => undefined,
      },
      'host:1',
      clock.now,
    );
    return { clock, sizer, permits, notes, reports, control };
  }

  /** `n` takers asking for a permit; resolves once all have one. */
  const demand = (permits: Permits, n: number) =>
    Promise.all(Array.from({ length: n }, () => permits.acquire(new AbortController().signal)));

  it('grows the permits toward the limit and hands the new ones to waiting takers', async () => {
    const { clock, sizer, permits, reports, control } = setup(1000);
    const signal = new AbortController().signal;
    const taken = demand(permits, 4);
    expect(permits.waiters).toBe(2);
    period(sizer, clock, 300);
    await control.tick();
    expect(permits.size).toBe(4);
    await taken;
    expect(permits.inUse).toBe(4);
    expect(reports.at(-1)).toMatchObject({ worker: 'host:1', limit: 4, inUse: 4, max: 1000 });
    void demand(permits, 100);
    for (let i = 0; i < 6; i += 1) await control.tick();
    expect(permits.size).toBe(littlesLaw(100, 300));
    expect(permits.inUse).toBe(littlesLaw(100, 300));
    void signal;
  });

  it('shrinks without taking permits back: released ones above the size are not handed out again', async () => {
    const { clock, sizer, permits, control } = setup(1000);
    const signal = new AbortController().signal;
    period(sizer, clock, 300);
    void demand(permits, 41);
    for (let i = 0; i < 6; i += 1) await control.tick();
    const size = permits.size;
    expect(size).toBe(41);
    expect(permits.inUse).toBe(size);
    for (let p = 0; p < 12; p += 1) period(sizer, clock, 1);
    await control.tick();
    const smaller = permits.size;
    expect(smaller).toBe(littlesLaw(100, sizer.latencyMs!));
    expect(smaller).toBeLessThan(size);
    expect(permits.inUse).toBe(size);
    for (let i = 0; i < size - smaller + 1; i += 1) permits.release();
    expect(permits.inUse).toBe(smaller - 1);
    await permits.acquire(signal);
    let more = false;
    void permits.acquire(signal).then(() => (more = true));
    await new Promise((r) => setImmediate(r));
    expect(more).toBe(false);
  });

  it('notes in_flight_limit only while the max holds takers back and the gate does not', async () => {
    const backlog = { queued: 0, scheduled: 0 };
    const { clock, sizer, permits, notes, control } = setup(4, backlog);
    period(sizer, clock, 300); // wants 41 at 100/s: capped at 4
    await control.tick();
    expect(sizer.capped).toBe(true);
    expect(notes).toEqual([]); // no taker waits
    void demand(permits, 5);
    await control.tick();
    await control.tick();
    expect(permits.size).toBe(4);
    expect(notes).toEqual([
      ['in_flight_limit', clock.now()],
      ['in_flight_limit', clock.now()],
    ]);
    // Most permits wait for their send slot: the rate holds them, not the in-flight limit.
    backlog.queued = 3;
    await control.tick();
    expect(notes).toHaveLength(2);
  });

  it('notes nothing when the limit is below the max', async () => {
    const { clock, sizer, permits, notes, control } = setup(1000);
    period(sizer, clock, 300);
    void demand(permits, 100);
    for (let i = 0; i < 8; i += 1) await control.tick();
    expect(permits.size).toBe(41);
    expect(permits.waiters).toBeGreaterThan(0);
    expect(notes).toEqual([]);
  });

  it('grows only while takers wait and the send gate holds few permits, at most doubling per tick', async () => {
    const backlog = { queued: 0, scheduled: 2 };
    const { clock, sizer, permits, control } = setup(1000, backlog);
    const signal = new AbortController().signal;
    period(sizer, clock, 300);
    expect(sizer.limit).toBe(41);
    await control.tick();
    expect(permits.size).toBe(2); // nobody waits for a permit
    await permits.acquire(signal);
    await permits.acquire(signal);
    void permits.acquire(signal);
    await control.tick();
    expect(permits.size).toBe(2); // every permit waits at the gate: the rate holds them
    backlog.scheduled = 0;
    await control.tick();
    expect(permits.size).toBe(2); // the average share at the gate is still a half
    await control.tick();
    expect(permits.size).toBe(4);
    void permits.acquire(signal);
    void permits.acquire(signal);
    await control.tick();
    expect(permits.size).toBe(8);
  });
});
