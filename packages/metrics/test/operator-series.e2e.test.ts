import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { createMetrics, pauseCause } from '../src';

/** The series the dashboard and the alert rules (deploy/) are built on, read from a real Redis. */
let redis: TestRedis;
let store: Store;

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
});

afterAll(async () => {
  await store?.close();
  await redis?.close();
});

/** The value of one series line (`name{labels} value`), or undefined when /metrics has no such line. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function campaign(count: number): Promise<string> {
  const defaults = { image_url: 'https://cdn.example.com/a.jpg', caption: 'hi' };
  const writer = store.newCampaign(defaults);
  for (let i = 0; i < count; i += 1) {
    await writer.add({
      type: 'image',
      url: defaults.image_url,
      mime_type: 'image/jpeg',
      customer_number: `9199700${String(i).padStart(5, '0')}`,
      customer_name: `Customer ${i}`,
      caption: defaults.caption,
    });
  }
  await writer.commit({ name: 'c', source: 'upload', defaults, total: count, rejected: 0, duplicates: 0 });
  return writer.campaignId;
}

test('system pause, paused campaigns by cause and due recipients follow the store', async () => {
  const metrics = createMetrics(store);
  let text = await metrics.render();
  expect(value(text, 'sobot_system_paused')).toBe(0);
  for (const cause of ['breaker', 'canary', 'system', 'operator', 'other'])
    expect(value(text, `sobot_campaigns_paused{cause="${cause}"}`)).toBe(0);
  expect(value(text, 'sobot_recipients_due')).toBe(0);

  const a = await campaign(3);
  await campaign(2);
  text = await metrics.render();
  expect(value(text, 'sobot_recipients_due')).toBe(5);
  expect(value(text, 'sobot_recipients_pending')).toBe(5);

  await store.control.pause(a);
  text = await metrics.render();
  expect(value(text, 'sobot_campaigns_paused{cause="operator"}')).toBe(1);
  // Paused recipients are pending, not due: "no sends while due" must not fire for a paused campaign.
  expect(value(text, 'sobot_recipients_due')).toBe(2);
  expect(value(text, 'sobot_recipients_pending')).toBe(5);

  await store.system.pause('UNAUTHORIZED', 'the upstream answered 401: check SOBOT_API_KEY', 60_000);
  text = await metrics.render();
  expect(value(text, 'sobot_system_paused{code="UNAUTHORIZED"}')).toBe(1);
  expect(value(text, 'sobot_system_paused')).toBeUndefined();
  expect(value(text, 'sobot_campaigns_paused{cause="system"}')).toBe(1);
  expect(value(text, 'sobot_campaigns_paused{cause="operator"}')).toBe(1);
  expect(value(text, 'sobot_recipients_due')).toBe(0);

  await store.system.resume();
  text = await metrics.render();
  expect(value(text, 'sobot_system_paused')).toBe(0);
  expect(value(text, 'sobot_recipients_due')).toBe(2);
});

test('the pause cause is read from paused_reason as record-outcomes-6.lua and the system pause write it', () => {
  expect(pauseCause('campaign breaker: 131053 failed 30 of the first 50 requests; fix', undefined)).toBe('breaker');
  expect(pauseCause('canary failed: 9 of the first 10 messages failed', undefined)).toBe('canary');
  expect(pauseCause('the upstream answered 401', 'the upstream answered 401')).toBe('system');
  expect(pauseCause(null, 'the upstream answered 401')).toBe('operator');
  expect(pauseCause('NO_ACTIVE_SENDER', undefined)).toBe('other');
});

test('Redis memory and the transactional lag histogram are served', async () => {
  await store.metrics.add(
    new Map([
      ['tlag:3', 4],
      ['tlag:7', 1],
      ['tlag:sum_ms', 900],
      ['tlag:count', 5],
    ]),
  );
  const text = await createMetrics(store).render();
  expect(value(text, 'sobot_redis_memory_used_bytes')).toBeGreaterThan(100_000);
  expect(value(text, 'sobot_redis_memory_max_bytes')).toBeGreaterThanOrEqual(0);
  // Buckets 0.005 0.01 0.025 0.05 | 0.1 0.25 0.5 1 | …: cumulative counts.
  expect(value(text, 'sobot_transactional_lag_seconds_bucket{le="0.025"}')).toBe(0);
  expect(value(text, 'sobot_transactional_lag_seconds_bucket{le="0.05"}')).toBe(4);
  expect(value(text, 'sobot_transactional_lag_seconds_bucket{le="1"}')).toBe(5);
  expect(value(text, 'sobot_transactional_lag_seconds_bucket{le="+Inf"}')).toBe(5);
  expect(value(text, 'sobot_transactional_lag_seconds_sum')).toBe(0.9);
  expect(value(text, 'sobot_transactional_lag_seconds_count')).toBe(5);
});

test('names() lists every series the registry serves, histograms expanded', async () => {
  const metrics = createMetrics(store);
  const names = metrics.names();
  const text = await metrics.render();
  const served = new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0]),
  );
  expect([...served].filter((n) => n && !names.includes(n))).toEqual([]);
  expect(names).toEqual(
    expect.arrayContaining(['sobot_messages_sent_total', 'sobot_send_latency_seconds_bucket', 'sobot_queue_jobs']),
  );
});
