/**
 * A cancel answers the counts as they stand once the stop has taken effect (SPEC §22, issue 20): requests in
 * flight at the cancel finish and are counted sent, and nothing the answer counts cancelled is sent later. Real
 * Redis, the producer over loopback, a real send worker, a slow sandbox (latency) so that requests are in flight.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@sobot/config';
import { settled, startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { controlResultSchema, type ReportRow } from '@sobot/schema';
import { startSendWorker, type SendWorker } from '@sobot/sending';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const KEY = 'cancel-key';
const LATENCY_MS = 400;
const log = createLogger('cancel-test', 'silent');

let redis: TestRedis;
let sandbox: Sandbox;
let store: Store;
let app: FastifyInstance;
let worker: SendWorker;
let base: string;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ faults: { latencyMs: LATENCY_MS } });
  const cfg = producerConfigSchema.parse({
    API_KEYS: KEY,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    LOG_LEVEL: 'silent',
  });
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, log);
  app = await buildApp({ cfg, store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  worker = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: 200,
    concurrency: 20,
    maxAttempts: 2,
    frequencyCapHours: 0,
  });
});

afterAll(async () => {
  await worker?.close();
  await app?.close();
  await store?.close();
  await sandbox?.close();
  await redis?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...(init.headers ?? {}) } });

test('requests in flight at the cancel are counted sent, and none counted cancelled is sent afterwards', async () => {
  const numbers = Array.from({ length: 600 }, (_, i) => `9198500${String(i).padStart(5, '0')}`);
  const csv = `phone,name\n${numbers.map((n) => `${n},N`).join('\n')}\n`;
  const up = await api(
    `/v1/campaigns?${new URLSearchParams({ image_url: `${sandbox.url}/images/sample.jpg`, chunk_size: '50' })}`,
    { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv },
  );
  expect(up.status).toBe(202);
  const { id } = (await up.json()) as { id: string };
  // Requests are in flight (the sandbox answers after LATENCY_MS) and some have been answered.
  await waitFor(async () => sandbox.stats().total >= 40, { timeoutMs: 30_000, what: 'requests in flight' });

  const res = await api(`/v1/campaigns/${id}/cancel`, { method: 'POST' });
  expect(res.status).toBe(200);
  const answer = controlResultSchema.parse(await res.json());
  expect(answer.status).toBe('cancelled');
  expect(answer.counts.cancelled).toBeGreaterThan(0);
  expect(answer.counts.sent + answer.counts.failed + answer.counts.skipped + answer.counts.cancelled).toBe(600);

  // Whatever was still to land has landed (the sandbox's tally stops moving), then the report is final.
  await settled(() => sandbox.stats().total, 3 * LATENCY_MS);
  const rows = (await (await api(`/v1/campaigns/${id}/report?format=json`)).json()) as ReportRow[];
  const final = controlResultSchema.parse(await (await api(`/v1/campaigns/${id}`)).json());
  expect(final.counts).toMatchObject({ sent: answer.counts.sent, cancelled: answer.counts.cancelled });
  const received = new Set(sandbox.stats().received.map((r) => r.number));
  const cancelled = rows.filter((r) => r.status === 'cancelled').map((r) => r.customer_number);
  expect(cancelled).toHaveLength(answer.counts.cancelled);
  expect(cancelled.filter((n) => received.has(n))).toEqual([]);
  expect(rows.filter((r) => r.status === 'sent')).toHaveLength(answer.counts.sent);
  expect(received.size).toBe(answer.counts.sent + answer.counts.failed);
});
