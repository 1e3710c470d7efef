/**
 * The chaos run's checks (SPEC §19) against hand-made runs: a clean one passes, and each way of breaking the
 * promise — a lost recipient, a number nobody uploaded, doubles past the kills' bound, a crowded second, a
 * suppressed or a quiet-hours number requested, a campaign that never ended — fails its own line.
 */
import { busiestSecond, chaosChecks, chaosFigures, seeded, type Arrival, type ChaosInput } from '../src';

const numbers = ['918100000001', '918100000002', '918100000003', '917700000001'];

/** A clean run: two campaigns' worth of recipients each sent once, 100 ms apart, after one worker kill. */
function cleanRun(): ChaosInput {
  const received: Arrival[] = numbers.map((n, i) => ({
    at: 1_000 + i * 100,
    number: n,
    outcome: 'ok',
    wamid: `w${i}`,
  }));
  return {
    sendRate: 2,
    inputNumbers: new Set([...numbers, '918100000009', '917600000001']),
    accepted: new Map([
      ['c1', 3],
      ['m1', 1],
    ]),
    reported: numbers.map((n, i) => ({ campaign: i < 3 ? 'c1' : 'm1', number: n, status: 'sent', wamid: `w${i}` })),
    suppressed: ['918100000009'],
    quiet: ['917600000001'],
    kills: [{ at: 500, target: 'worker', name: 'worker-1', inFlightBound: 1 }],
    received,
    undrained: [],
  };
}

const failing = (input: ChaosInput) =>
  chaosChecks(chaosFigures(input))
    .filter((c) => !c.ok)
    .map((c) => c.name);

test('a clean run passes every check', () => {
  const f = chaosFigures(cleanRun());
  expect(f).toMatchObject({ accepted: 4, lost: 0, unexpected: 0, duplicates: 0, duplicateBound: 1, busiestSecond: 4 });
  expect(failing({ ...cleanRun(), sendRate: 4 })).toEqual([]);
});

test('a recipient without an outcome, with two, or reported sent without the sandbox having it, is lost', () => {
  const run = cleanRun();
  const pending = { ...run, reported: run.reported.map((r, i) => (i === 0 ? { ...r, status: 'pending' } : r)) };
  expect(chaosFigures(pending).lost).toBe(1);
  const missing = { ...run, reported: run.reported.slice(1) };
  expect(chaosFigures(missing).lost).toBe(1);
  const twice = { ...run, reported: [...run.reported, { ...run.reported[0]!, status: 'failed' }] };
  expect(chaosFigures(twice).lost).toBe(1);
  const neverReceived = { ...run, reported: run.reported.map((r, i) => (i === 1 ? { ...r, wamid: 'w-other' } : r)) };
  expect(chaosFigures(neverReceived)).toMatchObject({ lost: 1 });
  expect(chaosFigures(neverReceived).lostExamples[0]).toMatch(/reported sent \(w-other\)/);
  expect(failing({ ...neverReceived, sendRate: 4 })).toEqual(['lost']);
});

test('a number in no input is unexpected; doubles past the bound and a crowded second fail', () => {
  const run = { ...cleanRun(), sendRate: 4 };
  const stranger = { ...run, received: [...run.received, { at: 5_000, number: '447700900000', outcome: 'ok' }] };
  expect(chaosFigures(stranger)).toMatchObject({ unexpected: 1, unexpectedExamples: ['447700900000'] });
  expect(failing(stranger)).toEqual(['unexpected numbers']);

  const again = (k: number) =>
    Array.from({ length: k }, (_, i) => ({ at: 9_000 + i * 400, number: numbers[0]!, outcome: 'ok' }));
  expect(failing({ ...run, received: [...run.received, ...again(1)] })).toEqual([]);
  expect(failing({ ...run, received: [...run.received, ...again(2)] })).toEqual(['duplicates']);

  // Five arrivals within 1 s at SEND_RATE 4: over 1.1 × 4.
  const crowded = { ...run, received: [...run.received, { at: 1_350, number: numbers[1]!, outcome: 'ok' }] };
  expect(failing({ ...crowded, kills: [{ ...run.kills[0]!, inFlightBound: 5 }] })).toEqual(['busiest 1-s window']);
});

test('a suppressed or quiet-hours number requested, a failure, or an undrained campaign fails its line', () => {
  const run = { ...cleanRun(), sendRate: 10 };
  const withArrival = (number: string) => ({
    ...run,
    received: [...run.received, { at: 3_000, number, outcome: 'ok' }],
  });
  expect(failing(withArrival('918100000009'))).toEqual(['suppressed numbers requested']);
  expect(failing(withArrival('917600000001'))).toEqual(['quiet-hours recipients requested']);
  const failed = {
    ...run,
    reported: run.reported.map((r, i) => (i === 0 ? { ...r, status: 'failed', wamid: null } : r)),
  };
  expect(failing(failed)).toEqual(['failed']);
  expect(failing({ ...run, undrained: ['c1 running (3 pending)'] })).toEqual([
    'drained (every campaign and call terminal)',
  ]);
});

test('the busiest second is a sliding window, not calendar seconds', () => {
  // 4 arrivals in each calendar second, but 7 within the second from 700 ms.
  expect(busiestSecond([100, 700, 950, 990, 1_010, 1_050, 1_200, 1_690, 2_500])).toEqual({ count: 7, at: 700 });
  expect(busiestSecond([0, 1_000, 2_000]).count).toBe(1);
});

test('a seed gives the same plan on every run', () => {
  const draw = (seed: number) => {
    const r = seeded(seed);
    return [r.next(), r.int(1, 6), r.pick(['a', 'b', 'c']), r.shuffle([1, 2, 3, 4, 5])];
  };
  expect(draw(7)).toEqual(draw(7));
  expect(draw(7)).not.toEqual(draw(8));
});
