/**
 * Quiet hours end to end (SPEC §10): the producer and a worker as real processes, a real Redis and the sandbox.
 * A CSV with a `timezone` column goes in with `quiet_hours` around the current time in India: the Indian number
 * without a zone waits, the one whose row says New York is sent, and the status says who waits until when.
 */
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { json, startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 2 } });
  sys = await startSystem({ redisUrl: redis.url, prefix: redis.prefix, sobotUrl: sandbox.url, workers: 1 });
});

afterAll(async () => {
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
});

const two = (n: number) => String(n).padStart(2, '0');

test('an uploaded recipient in its quiet hours waits; a timezone column moves another out of them', async () => {
  const now = Date.now();
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Asia/Kolkata',
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
  })
    .formatToParts(now)
    .filter((p) => p.type !== 'literal')
    .map((p) => Number(p.value));
  const local = parts[0]! * 60 + parts[1]!;
  const start = (local + 1440 - 60) % 1440;
  const end = (local + 30) % 1440;
  const span = `${two(Math.floor(start / 60))}:${two(start % 60)}-${two(Math.floor(end / 60))}:${two(end % 60)}`;
  const endsAt = now - (now % 60_000) + 30 * 60_000;

  const csv = 'phone,name,timezone\n919970000401,Asha,\n919970000402,Bala,America/New_York\n';
  const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg`, quiet_hours: span });
  expect(up.status).toBe(202);
  expect(up.body.columns.timezone).toBe('timezone');

  await waitFor(() => sandbox.stats().byNumber['919970000402'] === 1, { what: 'the New York row' });
  const view = await waitFor(async () => {
    const v = await json(await sys.api(`/v1/campaigns/${up.body.id}`));
    return v.counts.waiting === 1 ? v : undefined;
  });
  expect(sandbox.stats().byNumber['919970000401']).toBeUndefined();
  expect(view).toMatchObject({ quiet_hours: span, waiting_until: new Date(endsAt).toISOString(), status: 'running' });
  expect(view.counts).toMatchObject({ total: 2, sent: 1, pending: 1, waiting: 1 });
  expect(view.eta_seconds).toBeGreaterThan(25 * 60);
  await sys.api(`/v1/campaigns/${up.body.id}/cancel`, { method: 'POST' });
});
