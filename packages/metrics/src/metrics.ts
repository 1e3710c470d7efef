import { Gauge, Registry, collectDefaultMetrics, type MetricValue } from 'prom-client';
import { LATENCY_BUCKETS, type Store } from '@sobot/store';

/** Campaigns looked at for per-campaign series: the newest ones (active campaigns are among them). */
const CAMPAIGNS_SHOWN = 50;

export interface Metrics {
  contentType: string;
  render(): Promise<string>;
}

type Values = Array<MetricValue<string> & { metricName?: string }>;

/**
 * A series whose values are sums kept in Redis by every worker (see MetricCounters): prom-client's registry
 * formats it like its own metrics; `values` reads the sums at scrape time.
 */
function summed(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => Promise<Values>,
) {
  registry.registerMetric({
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: await values() }),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
}

/**
 * Prometheus metrics for the whole deployment. Send counters and the latency histogram are summed across
 * workers in Redis (each worker adds its counts every second), so one scrape of the producer sees everything;
 * queue depth and per-campaign series are read at scrape time.
 */
export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sobot_producer_' });
  // prom-client names these three gauges `…_total`, which Prometheus keeps for counters (promtool says so).
  for (const gauge of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
    registry.removeSingleMetric(`sobot_producer_nodejs_${gauge}`);
  }
  new Gauge({
    name: 'sobot_queue_jobs',
    help: 'Chunk jobs (up to 200 recipients each) in the send queue, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      for (const [state, n] of Object.entries(await store.queue.jobCounts())) this.set({ state }, n);
    },
  });
  const campaignGauge = new Gauge({
    name: 'sobot_campaign_messages',
    help: 'Recipients of a campaign by status',
    labelNames: ['campaign', 'status'],
    registers: [registry],
  });
  const rateGauge = new Gauge({
    name: 'sobot_campaign_send_rate',
    help: 'Messages per second over the last 10 s',
    labelNames: ['campaign'],
    registers: [registry],
  });
  const pendingGauge = new Gauge({
    name: 'sobot_recipients_pending',
    help: 'Recipients not yet sent or failed, over the campaigns shown',
    registers: [registry],
  });
  const effectiveRate = new Gauge({
    name: 'sobot_send_rate_effective',
    help: 'Messages per second being sent now, all campaigns',
    registers: [registry],
  });

  async function collectCampaigns(): Promise<void> {
    campaignGauge.reset();
    rateGauge.reset();
    let pending = 0;
    let rate = 0;
    for (const c of await store.campaigns.list(CAMPAIGNS_SHOWN)) {
      for (const status of ['pending', 'sent', 'failed', 'skipped', 'cancelled', 'delivered', 'read'] as const) {
        campaignGauge.set({ campaign: c.id, status }, c.counts[status]);
      }
      rateGauge.set({ campaign: c.id }, c.rate);
      pending += c.counts.pending;
      rate += c.rate;
    }
    pendingGauge.set(pending);
    effectiveRate.set(rate);
  }

  // One read of the worker sums per scrape, shared by the series below.
  let sums: Promise<Record<string, number>> | undefined;
  const read = () => (sums ??= store.metrics.read());
  const one = (field: string) => async (): Promise<Values> => [{ labels: {}, value: (await read())[field] ?? 0 }];

  /** The `<prefix><label>` sums as one series per label value (one `none` series at 0 before the first). */
  const byLabel = (prefix: string, label: string) => async (): Promise<Values> => {
    const found = Object.entries(await read()).filter(([k]) => k.startsWith(prefix));
    if (found.length === 0) return [{ labels: { [label]: 'none' }, value: 0 }];
    return found.map(([k, value]) => ({ labels: { [label]: k.slice(prefix.length) }, value }));
  };

  summed(registry, 'sobot_messages_sent_total', 'Messages the API accepted (wamid recorded)', 'counter', one('sent'));
  summed(
    registry,
    'sobot_messages_failed_total',
    'Messages failed for good, by error code',
    'counter',
    byLabel('failed:', 'code'),
  );
  summed(
    registry,
    'sobot_messages_skipped_total',
    'Messages not requested on purpose, by reason (SUPPRESSED, OUTSIDE_WINDOW, FREQUENCY_CAP)',
    'counter',
    byLabel('skipped:', 'reason'),
  );
  summed(registry, 'sobot_send_retries_total', 'Requests retried after an upstream error', 'counter', one('retried'));
  summed(
    registry,
    'sobot_rate_limited_total',
    'Requests the upstream answered with 429',
    'counter',
    one('rate_limited'),
  );
  summed(
    registry,
    'sobot_send_latency_seconds',
    'Time from request to answer, sent messages',
    'histogram',
    async () => {
      const m = await read();
      const values: Values = [];
      let cumulative = 0;
      [...LATENCY_BUCKETS, '+Inf' as const].forEach((le, i) => {
        cumulative += m[`lat:${i}`] ?? 0;
        values.push({ metricName: 'sobot_send_latency_seconds_bucket', labels: { le }, value: cumulative });
      });
      values.push({ metricName: 'sobot_send_latency_seconds_sum', labels: {}, value: (m['lat:sum_ms'] ?? 0) / 1000 });
      values.push({ metricName: 'sobot_send_latency_seconds_count', labels: {}, value: m['lat:count'] ?? 0 });
      return values;
    },
  );

  return {
    contentType: registry.contentType,
    async render(): Promise<string> {
      sums = undefined;
      await collectCampaigns();
      return registry.metrics();
    },
  };
}
