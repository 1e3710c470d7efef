import fc from 'fast-check';
import {
  canonicalTimeZone,
  formatQuietHours,
  inQuietSpan,
  parseQuietHours,
  quietUntil,
  quietUntilAll,
  type QuietSpan,
} from '../src';

const span = (text: string): QuietSpan => {
  const r = parseQuietHours(text);
  if (!r.ok || !r.span) throw new Error(`not a span: ${text}`);
  return r.span;
};
const at = (iso: string) => Date.parse(iso);
const minute = fc.integer({ min: 0, max: 1439 });
/** Local wall-clock minutes of `ms` in `zone`. */
function localMinute(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
  })
    .formatToParts(ms)
    .filter((p) => p.type !== 'literal')
    .map((p) => Number(p.value));
  return parts[0]! * 60 + parts[1]!;
}

describe('parseQuietHours', () => {
  it('reads HH:MM-HH:MM, off and empty', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ ok: true, span: { start: 1260, end: 480 } });
    expect(parseQuietHours(' 9:30 - 17:05 ')).toEqual({ ok: true, span: { start: 570, end: 1025 } });
    expect(parseQuietHours('off')).toEqual({ ok: true, span: null });
    expect(parseQuietHours('')).toEqual({ ok: true, span: null });
  });

  it.each(['24:00-08:00', '21:60-08:00', '21-08', '21:00', '21:00-08:00x', '08:00-08:00', 'nightly'])(
    'refuses %s and says what it wants',
    (text) => {
      const r = parseQuietHours(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/HH:MM-HH:MM|same time/);
    },
  );

  it('formats back what it read (any two different minutes)', () => {
    fc.assert(
      fc.property(minute, minute, (a, b) => {
        fc.pre(a !== b);
        const s = { start: a, end: b };
        expect(parseQuietHours(formatQuietHours(s))).toEqual({ ok: true, span: s });
      }),
    );
  });
});

describe('inQuietSpan', () => {
  it('includes the start, excludes the end, wraps midnight', () => {
    const night = span('21:00-08:00');
    expect([1259, 1260, 0, 479, 480].map((m) => inQuietSpan(night, m))).toEqual([false, true, true, true, false]);
    const day = span('09:00-17:00');
    expect([539, 540, 1019, 1020].map((m) => inQuietSpan(day, m))).toEqual([false, true, true, false]);
  });

  it('a span and its complement split the day', () => {
    fc.assert(
      fc.property(minute, minute, minute, (a, b, m) => {
        fc.pre(a !== b);
        expect(inQuietSpan({ start: a, end: b }, m)).toBe(!inQuietSpan({ start: b, end: a }, m));
      }),
    );
  });
});

describe('quietUntil', () => {
  it('answers the end of the span in the zone, today or tomorrow', () => {
    const night = span('21:00-08:00');
    // 23:00 in Kolkata (UTC+5:30): quiet until 08:00 the next day, 02:30 UTC.
    expect(quietUntil(night, 'Asia/Kolkata', at('2026-03-02T17:30:00Z'))).toBe(at('2026-03-03T02:30:00Z'));
    // 05:00 in Kolkata: quiet until 08:00 the same day.
    expect(quietUntil(night, 'Asia/Kolkata', at('2026-03-02T23:30:00Z'))).toBe(at('2026-03-03T02:30:00Z'));
    // 12:00 in Kolkata: not quiet.
    expect(quietUntil(night, 'Asia/Kolkata', at('2026-03-02T06:30:00Z'))).toBeUndefined();
    // The end itself is outside the span.
    expect(quietUntil(night, 'Asia/Kolkata', at('2026-03-03T02:30:00Z'))).toBeUndefined();
  });

  it('follows daylight saving time (New York, spring forward and fall back)', () => {
    const night = span('21:00-08:00');
    // 8 March 2026: clocks go from 02:00 EST to 03:00 EDT. 22:00 EST on the 7th → 08:00 EDT = 12:00 UTC.
    expect(quietUntil(night, 'America/New_York', at('2026-03-08T03:00:00Z'))).toBe(at('2026-03-08T12:00:00Z'));
    // 1 November 2026: clocks go from 02:00 EDT back to 01:00 EST. 22:00 EDT on the 31st → 08:00 EST = 13:00 UTC.
    expect(quietUntil(night, 'America/New_York', at('2026-11-01T02:00:00Z'))).toBe(at('2026-11-01T13:00:00Z'));
    // An end in the repeated hour: the first 01:30 (EDT).
    expect(quietUntil(span('23:00-01:30'), 'America/New_York', at('2026-11-01T04:00:00Z'))).toBe(
      at('2026-11-01T05:30:00Z'),
    );
    // An end in the skipped hour (02:30 does not exist on 8 March): no earlier than the jump.
    const gap = quietUntil(span('23:00-02:30'), 'America/New_York', at('2026-03-08T05:00:00Z'))!;
    expect(gap).toBeGreaterThanOrEqual(at('2026-03-08T07:00:00Z'));
    expect(gap).toBeLessThanOrEqual(at('2026-03-08T07:30:00Z'));
  });

  it('for any span, zone and time: the answer is later, outside the span, and just after a quiet moment', () => {
    const zones = ['Asia/Kolkata', 'America/New_York', 'America/Mexico_City', 'Europe/London', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        minute,
        minute,
        fc.constantFrom(...zones),
        fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') }),
        (a, b, zone, now) => {
          fc.pre(a !== b);
          const s = { start: a, end: b };
          const until = quietUntil(s, zone, now);
          const quietNow = inQuietSpan(s, localMinute(zone, now));
          if (!quietNow) return expect(until).toBeUndefined();
          expect(until).toBeGreaterThan(now);
          expect(until! - now).toBeLessThanOrEqual(25 * 3_600_000);
          expect(inQuietSpan(s, localMinute(zone, until!))).toBe(false);
          // Except across a spring-forward gap, one minute earlier is still quiet.
          if (until! - 60_000 > now) {
            const before = inQuietSpan(s, localMinute(zone, until! - 60_000));
            const jumped = localMinute(zone, until!) - localMinute(zone, until! - 60_000) > 1;
            expect(before || jumped).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('quietUntilAll', () => {
  const night = span('21:00-08:00');
  it('waits for the zone where the span ends last', () => {
    // 02:00 UTC: 07:30 in Kolkata (quiet until 02:30 UTC); 20:00 in Mexico City (not quiet).
    const now = at('2026-03-03T02:00:00Z');
    expect(quietUntil(night, 'America/Mexico_City', now)).toBeUndefined();
    // 21:00 in Mexico City is 03:00 UTC: after 02:30 UTC both are outside until then.
    expect(quietUntilAll(night, ['Asia/Kolkata', 'America/Mexico_City'], now)).toBe(at('2026-03-03T02:30:00Z'));
    // 02:50 UTC: Kolkata 08:20 (free), Mexico City 20:50 (free).
    expect(quietUntilAll(night, ['Asia/Kolkata', 'America/Mexico_City'], at('2026-03-03T02:50:00Z'))).toBeUndefined();
  });

  it('skips to a moment free in every zone', () => {
    // 03:30 UTC: Kolkata 09:00 (free), Mexico City 21:30 (quiet until 14:00 UTC); at 14:00 Kolkata is 19:30 (free).
    const now = at('2026-03-03T03:30:00Z');
    expect(quietUntilAll(night, ['Asia/Kolkata', 'America/Mexico_City'], now)).toBe(at('2026-03-03T14:00:00Z'));
  });

  it('never waits for ever when the zones leave no common moment', () => {
    const long = span('06:00-04:00');
    const until = quietUntilAll(long, ['Asia/Kolkata', 'America/Los_Angeles'], at('2026-03-03T12:00:00Z'));
    expect(until).toBe(quietUntil(long, 'Asia/Kolkata', at('2026-03-03T12:00:00Z')));
  });
});

describe('canonicalTimeZone', () => {
  it('knows IANA names and their case, not other words', () => {
    // Intl (ICU) may answer a zone's older name: Asia/Calcutta for Asia/Kolkata.
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(canonicalTimeZone('Asia/Kolkata'));
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    // ICU would read these as Asia/Calcutta and Asia/Dhaka: abbreviations are refused.
    expect(canonicalTimeZone('IST')).toBeUndefined();
    expect(canonicalTimeZone('BST')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });
});
