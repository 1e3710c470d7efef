import { SEND_POLICY } from '@sobot/schema';

/**
 * Outage breaker: watches this process's last `window` requests; when the share that failed for
 * upstream reasons (5xx, timeouts, resets) reaches `threshold`, it trips once. The caller then pauses
 * sending system-wide; probes resume it. A 20% error rate never trips it, a dead upstream does.
 */
export class OutageBreaker {
  private readonly results: boolean[] = [];
  private failures = 0;

  constructor(
    private readonly window: number = SEND_POLICY.outageBreaker.window,
    private readonly threshold: number = SEND_POLICY.outageBreaker.threshold,
  ) {}

  /** Records one request; returns true when this result trips the breaker. */
  record(failed: boolean): boolean {
    this.results.push(failed);
    if (failed) this.failures += 1;
    if (this.results.length > this.window && this.results.shift()) this.failures -= 1;
    if (this.results.length >= this.window && this.failures / this.results.length >= this.threshold) {
      this.reset();
      return true;
    }
    return false;
  }

  get failureRatio(): number {
    return this.results.length ? this.failures / this.results.length : 0;
  }

  reset(): void {
    this.results.length = 0;
    this.failures = 0;
  }
}
