/**
 * Admits at most `max` requests per calendar second, like a provider's fixed-window limiter. A
 * sliding one-second window can therefore see up to twice `max` across a second boundary.
 */
export class RpsCap {
  private second = 0;
  private admitted = 0;

  constructor(private readonly max: number) {}

  admit(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.admitted = 0;
    }
    if (this.admitted >= this.max) return false;
    this.admitted++;
    return true;
  }
}
