import fc from 'fast-check';
import { afterFailure, EVENT_POLICY, RETRY_SCHEDULE_MS, type AttemptResult } from '../src';

const fail = (status: number | null, retryAfterMs?: number): AttemptResult => ({
  ok: false,
  status,
  error: status === null ? 'unreachable' : null,
  retryAfterMs,
  durationMs: 1,
});

test('SPEC §16 schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then failed', () => {
  const mid = { ...EVENT_POLICY, random: () => 0.5 };
  const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => afterFailure(n, fail(500), mid));
  expect(waits).toEqual(RETRY_SCHEDULE_MS.map((delayMs) => ({ retry: true, delayMs })));
  expect(RETRY_SCHEDULE_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  expect(afterFailure(8, fail(500), mid)).toEqual({ retry: false });
});

test('jitter stays within ±20 %; Retry-After on 429/503 wins when longer, capped at 10 h', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (n, r) => {
      const p = { ...EVENT_POLICY, random: () => r };
      const base = RETRY_SCHEDULE_MS[n - 1]!;
      const plain = afterFailure(n, fail(null), p);
      if (!plain.retry) throw new Error('expected a retry');
      expect(plain.delayMs).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(plain.delayMs).toBeLessThanOrEqual(Math.ceil(base * 1.2));
      const later = afterFailure(n, fail(503, 50 * 3_600_000), p);
      expect(later).toEqual({ retry: true, delayMs: Math.max(plain.delayMs, 36_000_000) });
      // A Retry-After on another status is not a promise the receiver made.
      expect(afterFailure(n, fail(500, 50 * 3_600_000), p)).toEqual(plain);
    }),
  );
  expect(afterFailure(1, fail(429, 60_000), { ...EVENT_POLICY, random: () => 0.5 })).toEqual({
    retry: true,
    delayMs: 60_000,
  });
});
