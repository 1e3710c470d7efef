import { LATENCY_BUCKETS, type MetricCounters } from '@sobot/store';

/** `lat:<bucket>` for each latency bucket and the overflow one, built once (this runs per request). */
const LATENCY_FIELDS = Array.from({ length: LATENCY_BUCKETS.length + 1 }, (_, i) => `lat:${i}`);
/** The same buckets for the transactional lane's lag (`tlag:<bucket>`). */
const LAG_FIELDS = Array.from({ length: LATENCY_BUCKETS.length + 1 }, (_, i) => `tlag:${i}`);

/** Counts this worker's sends and adds them to the cluster-wide counters in Redis every second. */
export class MetricsRecorder {
  private deltas = new Map<string, number>();
  /** This process's totals since start (for its shutdown line). */
  readonly totals = { sent: 0, failed: 0, skipped: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly counters: MetricCounters) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  inc(field: string, by = 1): void {
    if (field === 'sent') this.totals.sent += by;
    else if (field.startsWith('failed:')) this.totals.failed += by;
    else if (field.startsWith('skipped:')) this.totals.skipped += by;
    this.deltas.set(field, (this.deltas.get(field) ?? 0) + by);
  }

  /** A recipient ended skipped (not requested on purpose): `reason` is its code (SUPPRESSED, OUTSIDE_WINDOW…). */
  skipped(reason: string): void {
    this.inc(`skipped:${reason}`);
  }

  latency(ms: number): void {
    this.observe(LATENCY_FIELDS, 'lat:', ms);
  }

  /** A transactional message sent `ms` after it was due (accepted, or its send_at): SPEC §10's 1 s p95. */
  transactionalLag(ms: number): void {
    this.observe(LAG_FIELDS, 'tlag:', Math.max(0, ms));
  }

  private observe(fields: string[], prefix: string, ms: number): void {
    const s = ms / 1000;
    let i = LATENCY_BUCKETS.findIndex((b) => s <= b);
    if (i < 0) i = LATENCY_BUCKETS.length;
    this.inc(fields[i]!);
    this.inc(`${prefix}sum_ms`, ms);
    this.inc(`${prefix}count`);
  }

  async flush(): Promise<void> {
    const deltas = this.deltas;
    this.deltas = new Map();
    await this.counters.add(deltas);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}
