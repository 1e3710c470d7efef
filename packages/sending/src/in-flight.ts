/**
 * How many requests a worker keeps in flight (SPEC §15, "Reaching the rate"). Little's law: to carry `rate`
 * messages a second when each holds its permit `latency` seconds, `rate × latency` must be in flight. The latency
 * is the upstream's, as observed; the rate is the whole SEND_RATE (a worker cannot know that others will carry
 * their part: they may be busy with other campaigns, or gone), so a permit this worker does not need waits at the
 * send gate, where it costs memory and no socket. docs/decisions.md, "In flight: Little's law".
 */

/** Sizing constants; a test may pass others. */
export interface InFlightPolicy {
  /** Multiplies Little's law's figure: jitter around the mean, a busy event loop, a stalled write. */
  headroom: number;
  /** Added to the upstream latency: the rest of a permit's time (the send gate, the outcome write). */
  overheadMs: number;
  /** The latency average is updated once per period (ms)... */
  periodMs: number;
  /** ...moving this share of the way to the period's mean (a fall is followed in a few periods; a period of
   * fewer than `riseSamples` samples moves it proportionally less). */
  smoothing: number;
  /** A period's mean above the average counts at once (a rise is followed at once) from this many samples. */
  riseSamples: number;
}

export const IN_FLIGHT_POLICY: InFlightPolicy = {
  headroom: 1.25,
  overheadMs: 25,
  periodMs: 500,
  smoothing: 0.5,
  riseSamples: 10,
};

export interface InFlightOptions {
  /** Messages per second to be able to carry (SEND_RATE). */
  ratePerSecond: number;
  /** Fewest in flight, and the limit before any latency is seen (WORKER_CONCURRENCY). */
  min: number;
  /** Most in flight (WORKER_MAX_IN_FLIGHT). */
  max: number;
  policy?: InFlightPolicy;
  /** ms clock (Date.now); tests pass their own. */
  clock?: () => number;
}

/** Requests in flight Little's law asks for: `rate × (latency + overhead) × headroom`, rounded up. */
export function littlesLaw(ratePerSecond: number, latencyMs: number, p: InFlightPolicy = IN_FLIGHT_POLICY): number {
  const n = ratePerSecond * ((Math.max(0, latencyMs) + p.overheadMs) / 1000) * p.headroom;
  return Number.isFinite(n) ? Math.ceil(n) : Number.POSITIVE_INFINITY;
}

/**
 * The in-flight limit from the observed latency: `observe` each request's time, read `limit`. Quick to grow
 * (a period whose mean is above the average is taken at once), slow to shrink (the average moves half-way per
 * period): too few in flight costs rate, too many only waits at the gate.
 */
export class InFlightSizer {
  private readonly policy: InFlightPolicy;
  private readonly clock: () => number;
  private average: number | undefined;
  private sum = 0;
  private count = 0;
  private periodStart: number;

  constructor(private readonly o: InFlightOptions) {
    if (!(o.min >= 1 && o.max >= o.min))
      throw new RangeError(`in-flight bounds must be 1 ≤ min ≤ max (${o.min}, ${o.max})`);
    this.policy = o.policy ?? IN_FLIGHT_POLICY;
    this.clock = o.clock ?? Date.now;
    this.periodStart = this.clock();
  }

  /** One request took `ms` (answered or not: it held its permit that long). */
  observe(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.roll();
    this.sum += ms;
    this.count += 1;
  }

  /** The upstream latency the limit is sized for (ms); undefined before the first answer. */
  get latencyMs(): number | undefined {
    this.roll();
    const current = this.count > 0 ? this.sum / this.count : undefined;
    if (this.average === undefined) return current;
    if (current !== undefined && this.count >= this.policy.riseSamples && current > this.average) return current;
    return this.average;
  }

  /** Little's law's figure for the latency seen, unbounded; undefined before the first answer. */
  get wanted(): number | undefined {
    const latency = this.latencyMs;
    return latency === undefined ? undefined : littlesLaw(this.o.ratePerSecond, latency, this.policy);
  }

  /** Requests to keep in flight now: Little's law between min and max (min before any answer). */
  get limit(): number {
    const wanted = this.wanted;
    return wanted === undefined ? this.o.min : Math.min(this.o.max, Math.max(this.o.min, wanted));
  }

  /** The max holds the limit down: the latency seen asks for more in flight than WORKER_MAX_IN_FLIGHT. */
  get capped(): boolean {
    return (this.wanted ?? 0) > this.o.max;
  }

  get bounds(): { min: number; max: number } {
    return { min: this.o.min, max: this.o.max };
  }

  /** Closes the periods that ended: each with samples moves the average toward its mean. */
  private roll(): void {
    const now = this.clock();
    if (now - this.periodStart < this.policy.periodMs) return;
    if (this.count > 0) {
      const mean = this.sum / this.count;
      const { riseSamples, smoothing } = this.policy;
      const rise = this.average === undefined || (mean > this.average && this.count >= riseSamples);
      // A period of few samples moves the average less: one slow answer is not a slow upstream.
      const weight = smoothing * Math.min(1, this.count / riseSamples);
      this.average = rise ? mean : this.average! + (mean - this.average!) * weight;
    }
    this.sum = 0;
    this.count = 0;
    this.periodStart = now;
  }
}

/** Permits waiting at the send gate, as a share of all, from which the rate is taken to hold the sending. */
const RATE_BOUND_SHARE = 0.25;

/** The permits the limit sizes (Permits). */
export interface InFlightPermits {
  readonly size: number;
  readonly inUse: number;
  /** Takers waiting for a permit. */
  readonly waiters: number;
  resize(size: number): void;
}

/** Where the limit is told (the store's SendLimits). */
export interface InFlightReports {
  noteLimit(reason: 'in_flight_limit', now: number): Promise<void>;
  reportWorker(w: { worker: string; limit: number; inUse: number; max: number; at: number }): Promise<void>;
  forgetWorker(worker: string): Promise<void>;
}

/**
 * Keeps the permits at the sizer's limit (every `everyMs`), notes `in_flight_limit` while the limit holds the
 * sending down, and reports the worker's figures for /metrics. The HTTP pool follows by itself: undici opens a
 * socket when a request finds none idle (up to WORKER_MAX_IN_FLIGHT) and closes idle ones after keep-alive.
 */
export class InFlightControl {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Share of the permits waiting at the send gate, averaged over the last ticks. */
  private gateShare = 0;

  constructor(
    readonly sizer: InFlightSizer,
    private readonly permits: InFlightPermits,
    /** Takers at the send gate (SendGate.backlog). */
    private readonly gate: { readonly backlog: { queued: number; scheduled: number } },
    private readonly reports: InFlightReports,
    private readonly worker: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The in-flight limit holds the sending down now: the latency asks for more than WORKER_MAX_IN_FLIGHT, every
   * permit is taken and more takers wait for one, and most permits are out at the upstream, not waiting at the
   * send gate (were they waiting there, the rate would be what holds them).
   */
  held(): boolean {
    const { size, inUse, waiters } = this.permits;
    const { queued, scheduled } = this.gate.backlog;
    return this.sizer.capped && waiters > 0 && inUse >= size && queued + scheduled < size / 2;
  }

  /**
   * The limit to set now: the sizer's, except that it grows only while takers wait for a permit and the send gate
   * holds few of the permits (under a quarter, on average over the last ticks), at most doubling per tick. When the
   * gate holds them the rate holds the sending, not the permits: more would only wait there too (thousands of
   * takers cost the gate and the event loop, and a busy loop makes the measured latency grow).
   */
  next(): number {
    const wanted = this.sizer.limit;
    const { size, waiters } = this.permits;
    const { queued, scheduled } = this.gate.backlog;
    this.gateShare += ((queued + scheduled) / size - this.gateShare) * 0.5;
    if (wanted <= size) return wanted;
    if (waiters === 0 || this.gateShare >= RATE_BOUND_SHARE) return size;
    return Math.min(wanted, size * 2);
  }

  /** One step: resize, note, report. Redis trouble is not this step's to handle: the next one writes again. */
  async tick(): Promise<void> {
    const limit = this.next();
    if (limit !== this.permits.size) this.permits.resize(limit);
    const now = this.clock();
    const writes: Array<Promise<void>> = [];
    if (this.held()) writes.push(this.reports.noteLimit('in_flight_limit', now));
    const { max } = this.sizer.bounds;
    writes.push(this.reports.reportWorker({ worker: this.worker, limit, inUse: this.permits.inUse, max, at: now }));
    await Promise.allSettled(writes);
  }

  start(everyMs = 250): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.reports.forgetWorker(this.worker).catch(() => undefined);
  }
}
