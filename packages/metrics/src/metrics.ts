import { Gauge, Registry, collectDefaultMetrics, type MetricValue } from 'prom-client';
import { LATENCY_BUCKETS, type Store } from '@sobot/store';

/** Campaigns looked at for per-campaign series: the newest ones (active campaigns are among them). */
const CAMPAIGNS_SHOWN = 50;

export interface Metrics {
  contentType: string;
  render(): Promise<string>;
  /**
   * Every series name /metrics can serve (a histogram's `_bucket`, `_sum` and `_count` included): what dashboards
   * and alert rules may refer to (deploy/, checked by packages/metrics/test/deploy.e2e.test.ts).
   */
  names(): string[];
}

/** Why a campaign shows as paused, from its `paused_reason` (record-outcomes-6.lua writes the first two). */
export type PauseCause = 'breaker' | 'canary' | 'system' | 'operator' | 'other';
const PAUSE_CAUSES: PauseCause[] = ['breaker', 'canary', 'system', 'operator', 'other'];

export function pauseCause(reason: string | null, systemReason: string | undefined): PauseCause {
  if (!reason) return 'operator';
  if (reason.startsWith('campaign breaker')) return 'breaker';
  if (reason.startsWith('canary failed')) return 'canary';
  if (reason === systemReason) return 'system';
  return 'other';
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
  const dueGauge = new Gauge({
    name: 'sobot_recipients_due',
    help:
      'Recipients that should be going out now: pending in running or queued campaigns, ' +
      'less those waiting for quiet hours',
    registers: [registry],
  });
  const pausedGauge = new Gauge({
    name: 'sobot_campaigns_paused',
    help: 'Campaigns shown as paused, by cause (breaker, canary, system, operator, other)',
    labelNames: ['cause'],
    registers: [registry],
  });
  const systemPaused = new Gauge({
    name: 'sobot_system_paused',
    help: '1 while sending is paused system-wide (wrong key, upstream outage, blocked account), with its code',
    labelNames: ['code'],
    registers: [registry],
  });
  new Gauge({
    name: 'sobot_redis_memory_used_bytes',
    help: 'Memory Redis uses (INFO memory used_memory; summed over the masters of a cluster)',
    registers: [registry],
    async collect() {
      this.set((await memory()).used);
    },
  });
  new Gauge({
    name: 'sobot_redis_memory_max_bytes',
    help: 'Redis maxmemory (0: no limit); with noeviction a full Redis refuses writes',
    registers: [registry],
    async collect() {
      this.set((await memory()).max);
    },
  });

  async function collectCampaigns(): Promise<void> {
    campaignGauge.reset();
    rateGauge.reset();
    systemPaused.reset();
    let pending = 0;
    let rate = 0;
    let due = 0;
    const paused = new Map<PauseCause, number>(PAUSE_CAUSES.map((c) => [c, 0]));
    // The list first: with Redis unreachable it fails as the store's 503 error before any raw read is tried.
    const campaigns = await store.campaigns.list(CAMPAIGNS_SHOWN);
    const system = await store.system.current();
    if (system) systemPaused.set({ code: system.code || 'UNKNOWN' }, 1);
    else systemPaused.set(0);
    for (const c of campaigns) {
      if (c.status === 'paused') {
        const cause = pauseCause(c.paused_reason, system?.reason);
        paused.set(cause, (paused.get(cause) ?? 0) + 1);
      }
      if (c.status === 'running' || c.status === 'queued') due += Math.max(0, c.counts.pending - c.counts.waiting);
      for (const status of ['pending', 'sent', 'failed', 'skipped', 'cancelled', 'delivered', 'read'] as const) {
        campaignGauge.set({ campaign: c.id, status }, c.counts[status]);
      }
      rateGauge.set({ campaign: c.id }, c.rate);
      pending += c.counts.pending;
      rate += c.rate;
    }
    pendingGauge.set(pending);
    effectiveRate.set(rate);
    dueGauge.set(due);
    for (const [cause, n] of paused) pausedGauge.set({ cause }, n);
  }

  // One INFO per scrape, shared by the two memory gauges.
  let mem: Promise<{ used: number; max: number }> | undefined;
  const memory = () => (mem ??= store.memory());

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
  /** `sender:<id>:<what>` sums as one series per sender (SPEC §15); none before the first. */
  const perSender = (what: string) => async (): Promise<Values> =>
    Object.entries(await read())
      .filter(([k]) => k.startsWith('sender:') && k.endsWith(`:${what}`))
      .map(([k, value]) => ({ labels: { sender: k.slice(7, -what.length - 1) }, value }));
  summed(
    registry,
    'sobot_sender_requests_total',
    'Requests made through each sender (several senders, SPEC §15)',
    'counter',
    perSender('requests'),
  );
  summed(
    registry,
    'sobot_sender_throttled_total',
    'Requests of each sender the upstream throttled (130429 / 429): that sender waits, the others go on',
    'counter',
    perSender('throttled'),
  );
  // The senders' state and the portfolios' 24 h budget: one read per scrape.
  let senders: ReturnType<typeof store.senders.overview> | undefined;
  const overview = () => (senders ??= store.senders.overview(24 * 3_600_000));
  new Gauge({
    name: 'sobot_sender_paused',
    help: '1 while a sender is paused (the upstream refused it: 401/403, 368, 131031, 131042)',
    labelNames: ['sender'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await overview()).senders) this.set({ sender: s.id }, s.state === 'paused' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sobot_messaging_budget_remaining',
    help: 'New numbers a portfolio may still start conversations with in the rolling 24 h (portfolios with a limit)',
    labelNames: ['portfolio'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const p of (await overview()).portfolios)
        if (p.remaining_24h !== null) this.set({ portfolio: p.portfolio }, p.remaining_24h);
    },
  });
  /** A histogram kept as `<prefix><bucket index>`, `<prefix>sum_ms` and `<prefix>count` sums. */
  const histogram = (name: string, prefix: string) => async (): Promise<Values> => {
    const m = await read();
    const values: Values = [];
    let cumulative = 0;
    [...LATENCY_BUCKETS, '+Inf' as const].forEach((le, i) => {
      cumulative += m[`${prefix}${i}`] ?? 0;
      values.push({ metricName: `${name}_bucket`, labels: { le }, value: cumulative });
    });
    values.push({ metricName: `${name}_sum`, labels: {}, value: (m[`${prefix}sum_ms`] ?? 0) / 1000 });
    values.push({ metricName: `${name}_count`, labels: {}, value: m[`${prefix}count`] ?? 0 });
    return values;
  };
  summed(
    registry,
    'sobot_send_latency_seconds',
    'Time from request to answer, sent messages',
    'histogram',
    histogram('sobot_send_latency_seconds', 'lat:'),
  );
  summed(
    registry,
    'sobot_transactional_lag_seconds',
    'Transactional messages: time from due (accepted, or send_at) to sent, first round only',
    'histogram',
    histogram('sobot_transactional_lag_seconds', 'tlag:'),
  );

  return {
    contentType: registry.contentType,
    async render(): Promise<string> {
      sums = undefined;
      mem = undefined;
      senders = undefined;
      await collectCampaigns();
      return registry.metrics();
    },
    names(): string[] {
      return registry
        .getMetricsAsArray()
        .flatMap(({ name, type }: { name: string; type?: unknown }) =>
          type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
        );
    },
  };
}
