import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LATENCY_BUCKETS, readMetrics, type CampaignReader, type StoreContext } from '@sobot/store';
import type { Queue } from 'bullmq';

/** Campaigns looked at for per-campaign series: the newest ones (active campaigns are among them). */
const CAMPAIGNS_SHOWN = 50;

/**
 * Prometheus metrics for the whole deployment. Send counters and the latency histogram are summed
 * across workers in Redis (each worker adds its counts every second), so one scrape of the producer
 * sees everything; queue depth and per-campaign series are read at scrape time.
 */
export function createMetrics(ctx: StoreContext, queue: Queue, reader: CampaignReader) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sobot_producer_' });
  new Gauge({
    name: 'sobot_queue_jobs',
    help: 'Chunk jobs (up to 200 recipients each) in the send queue, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
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
    for (const c of await reader.list(CAMPAIGNS_SHOWN)) {
      for (const status of ['pending', 'sent', 'failed', 'cancelled', 'delivered', 'read'] as const)
        campaignGauge.set({ campaign: c.id, status }, c.counts[status]);
      rateGauge.set({ campaign: c.id }, c.rate);
      pending += c.counts.pending;
      rate += c.rate;
    }
    pendingGauge.set(pending);
    effectiveRate.set(rate);
  }

  async function workerCounters(): Promise<string> {
    const m = await readMetrics(ctx);
    const lines: string[] = [];
    const counter = (name: string, help: string, series: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of series) lines.push(`${name}${labels} ${v}`);
    };
    counter('sobot_messages_sent_total', 'Messages the API accepted (wamid recorded)', [['', m.sent ?? 0]]);
    const failed = Object.entries(m).filter(([k]) => k.startsWith('failed:'));
    counter(
      'sobot_messages_failed_total',
      'Messages failed for good, by error code',
      failed.length
        ? failed.map(([k, v]) => [`{code="${k.slice(7).replace(/["\\\n]/g, '_')}"}`, v])
        : [['{code="none"}', 0]],
    );
    counter('sobot_send_retries_total', 'Requests retried after an upstream error', [['', m.retried ?? 0]]);
    counter('sobot_rate_limited_total', 'Requests the upstream answered with 429', [['', m.rate_limited ?? 0]]);
    lines.push(
      '# HELP sobot_send_latency_seconds Time from request to answer, sent messages',
      '# TYPE sobot_send_latency_seconds histogram',
    );
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += m[`lat:${i}`] ?? 0;
      lines.push(`sobot_send_latency_seconds_bucket{le="${le}"} ${cumulative}`);
    });
    cumulative += m[`lat:${LATENCY_BUCKETS.length}`] ?? 0;
    lines.push(`sobot_send_latency_seconds_bucket{le="+Inf"} ${cumulative}`);
    lines.push(
      `sobot_send_latency_seconds_sum ${(m['lat:sum_ms'] ?? 0) / 1000}`,
      `sobot_send_latency_seconds_count ${m['lat:count'] ?? 0}`,
    );
    return `${lines.join('\n')}\n`;
  }

  return {
    contentType: registry.contentType,
    async render(): Promise<string> {
      await collectCampaigns();
      return (await registry.metrics()) + (await workerCounters());
    },
  };
}
