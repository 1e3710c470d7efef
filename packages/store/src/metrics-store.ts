import type { StoreContext } from './context';

/** Send latency histogram bucket bounds, seconds (shared by the workers that count and the producer that shows). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Cluster-wide counters: each worker adds its deltas every second or so, the producer's /metrics reads
 * the sums, so one scrape sees every worker. Field names: `sent`, `failed:<code>`, `retried`,
 * `rate_limited`, `lat:<bucket index>`, `lat:sum_ms`, `lat:count`, and the same three for the transactional
 * lane's lag as `tlag:…`.
 */
export class MetricCounters {
  constructor(private readonly ctx: StoreContext) {}

  async add(deltas: Map<string, number>): Promise<void> {
    if (deltas.size === 0) return;
    const multi = this.ctx.redis.multi();
    for (const [field, delta] of deltas) if (delta !== 0) multi.hincrbyfloat(this.ctx.keys.metrics, field, delta);
    await multi.exec();
  }

  async read(): Promise<Record<string, number>> {
    const raw = await this.ctx.redis.hgetall(this.ctx.keys.metrics);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }
}
