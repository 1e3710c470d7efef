import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { createMetrics } from '../src';

/** Prometheus's own linter over what /metrics serves (names, types, HELP, histogram shape). */
const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
if (!PROMTOOL) console.warn('promtool.test: no promtool on PATH (apt-get install prometheus): SKIPPED');

let redis: TestRedis;
let store: Store;

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
  // Counters as workers leave them: sends, failures by code, retries, latency buckets.
  await store.metrics.add(
    new Map([
      ['sent', 12],
      ['failed:131047', 2],
      ['failed:we"ird\\code', 1],
      ['skipped:SUPPRESSED', 4],
      ['skipped:OUTSIDE_WINDOW', 1],
      ['retried', 3],
      ['rate_limited', 1],
      ['lat:2', 10],
      ['lat:5', 2],
      ['lat:sum_ms', 480],
      ['lat:count', 12],
    ]),
  );
});

afterAll(async () => {
  await store?.close();
  await redis?.close();
});

(PROMTOOL ? test : test.skip)('promtool check metrics finds nothing to say', async () => {
  const text = await createMetrics(store).render();
  expect(text).toContain('sobot_messages_sent_total 12');
  expect(text).toContain('sobot_send_latency_seconds_bucket{le="+Inf"} 12');
  expect(text).toContain('sobot_messages_skipped_total{reason="SUPPRESSED"} 4');
  expect(text).toContain('sobot_messages_skipped_total{reason="OUTSIDE_WINDOW"} 1');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
  expect(check.status).toBe(0);
});
