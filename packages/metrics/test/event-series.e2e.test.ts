import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { createMetrics } from '../src';

/** SPEC §16 on /metrics: deliveries by outcome, backlog and lag per endpoint, the lag histogram. */
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

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('deliveries by outcome, backlog and lag per endpoint', async () => {
  const ep = await store.eventEndpoints.create({ url: 'https://93.184.215.14/h', events: ['message.sent'] }, 'whsec_x');
  const d = store.eventDeliveries;
  const now = Date.now();
  const ref = (n: number) => `c00000000000000a.${now - 60_000 + n}-0.s.${n}`;
  // Three events queued a minute ago: one succeeds, one is retried, one fails for good.
  await store.outboxPump.handOver('c00000000000000a', '0-0', new Map([[ep.id, [ref(0), ref(1), ref(2)]]]), new Map());
  await d.succeeded(ep.id, ref(0), 1, 204, 'message.sent', now);
  await d.retryLater(ep.id, ref(1), 1, now + 5_000, { status: 503, error: null }, now);
  await d.failed(ep.id, ref(2), 8, undefined, { status: 500, error: null }, now);
  await store.metrics.add(
    new Map([
      ['evlag:7', 1],
      ['evlag:sum_ms', 800],
      ['evlag:count', 1],
    ]),
  );

  const text = await createMetrics(store).render();
  const s = (outcome: string) => `sobot_event_deliveries_total{endpoint="${ep.id}",outcome="${outcome}"}`;
  expect([value(text, s('succeeded')), value(text, s('retried')), value(text, s('failed'))]).toEqual([1, 1, 1]);
  expect(value(text, `sobot_event_backlog{endpoint="${ep.id}"}`)).toBe(1);
  expect(value(text, `sobot_event_lag_seconds{endpoint="${ep.id}"}`)).toBeGreaterThanOrEqual(59);
  expect(value(text, `sobot_event_endpoint_disabled{endpoint="${ep.id}"}`)).toBe(0);
  expect(value(text, 'sobot_event_delivery_lag_seconds_bucket{le="1"}')).toBe(1);
  expect(value(text, 'sobot_event_delivery_lag_seconds_count')).toBe(1);
});
