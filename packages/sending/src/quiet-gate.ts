import { quietUntilAll, type QuietSpan, type SobotImageMessage } from '@sobot/schema';
import { zonesOfNumber } from './recipient-zones';

/**
 * Quiet hours at send time (SPEC §10): whether a recipient is inside the campaign's quiet span in its own zone
 * (its `timezone` column, else every zone its number leaves open). Answers are memoised per zone set for the
 * current second: a chunk's recipients mostly share a few zones.
 */
export class QuietGate {
  private readonly memo = new Map<readonly string[] | string, number | undefined>();
  private second = 0;
  /** Recipients held this run, and the earliest time one of them may go. */
  waiting = 0;
  earliest = Number.POSITIVE_INFINITY;

  /** `clock`: the time quiet hours are judged by (tests move it instead of waiting for a span to end). */
  constructor(
    private readonly span: QuietSpan,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Undefined when `m` may be sent now; else the time (ms) it may. */
  until(m: SobotImageMessage, now = Date.now()): number | undefined {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.memo.clear();
      this.second = second;
    }
    const zones = m.timezone ?? zonesOfNumber(m.customer_number);
    if (this.memo.has(zones)) return this.memo.get(zones);
    const until = quietUntilAll(this.span, typeof zones === 'string' ? [zones] : zones, now);
    this.memo.set(zones, until);
    return until;
  }

  /** Counts `m` as waiting when it is inside its quiet hours now; whether it is. */
  hold(m: SobotImageMessage): boolean {
    const until = this.until(m, this.clock());
    if (until === undefined) return false;
    this.waiting += 1;
    this.earliest = Math.min(this.earliest, until);
    return true;
  }
}
