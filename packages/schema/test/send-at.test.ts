import fc from 'fast-check';
import { parseSendAt } from '../src/send-at';

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A calendar date: any year, month and a day that month has. */
const date = fc
  .record({ year: fc.integer({ min: 1970, max: 2199 }), month: fc.integer({ min: 1, max: 12 }) })
  .chain(({ year, month }) =>
    fc.record({
      year: fc.constant(year),
      month: fc.constant(month),
      day: fc.integer({ min: 1, max: daysIn(year, month) }),
    }),
  );
const time = fc.record({
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
  ms: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
});
/** Minutes east of UTC; undefined is `Z`. */
const offset = fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), { nil: undefined });

function text(
  d: { year: number; month: number; day: number },
  t: typeof time extends fc.Arbitrary<infer T> ? T : never,
  off: number | undefined,
) {
  const frac = t.ms === undefined ? '' : `.${pad(t.ms, 3)}`;
  const zone =
    off === undefined ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const date = `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
  return `${date}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${frac}${zone}`;
}

test('a valid RFC 3339 time reads as the instant it names', () => {
  fc.assert(
    fc.property(date, time, offset, (d, t, off) => {
      const expected =
        Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute, t.second, t.ms ?? 0) - (off ?? 0) * 60_000;
      // `now` just before it: not in the past, not too far ahead.
      expect(parseSendAt(text(d, t, off), expected - 1)).toEqual({ ok: true, at: expected });
    }),
  );
});

test('a day the month does not have is refused, never rolled over into the next month', () => {
  const badDay = fc
    .record({ year: fc.integer({ min: 1970, max: 2199 }), month: fc.integer({ min: 1, max: 12 }) })
    .chain(({ year, month }) =>
      fc.record({
        year: fc.constant(year),
        month: fc.constant(month),
        day: fc.oneof(fc.integer({ min: daysIn(year, month) + 1, max: 99 }), fc.constant(0)),
      }),
    );
  fc.assert(
    fc.property(badDay, time, offset, (d, t, off) => {
      const r = parseSendAt(text(d, t, off), 0);
      expect(r.ok).toBe(false);
    }),
  );
});

test.each([
  ['2027-02-30T09:00:00+05:30', 'has no day 30 in 2027-02'],
  ['2027-02-29T09:00:00Z', 'has no day 29 in 2027-02'],
  ['2027-04-31T09:00:00Z', 'has no day 31'],
  ['2027-01-10T24:00:00Z', 'has no time 24:00:00'],
  ['2027-01-10T09:60:00Z', 'has no time'],
  ['2027-01-10T09:00:60Z', 'has no time'],
  ['2027-13-01T09:00:00Z', 'has no month 13'],
  ['2027-01-10T09:00:00+24:00', 'has no offset'],
  ['2027-01-10T09:00:00+05:60', 'has no offset'],
])('%s is refused (%s)', (input, why) => {
  const r = parseSendAt(input, Date.UTC(2027, 0, 1));
  expect(r).toEqual({ ok: false, message: expect.stringContaining(why) });
});

test('29 February of a leap year is a real day', () => {
  const now = Date.UTC(2028, 1, 1);
  expect(parseSendAt('2028-02-29T09:00:00+05:30', now)).toEqual({ ok: true, at: Date.UTC(2028, 1, 29, 3, 30) });
});
