/**
 * The typed client SDK (@sobot/client) against the real system: `pnpm producer` and a worker as
 * processes, a Redis of the test's own, the sandbox over loopback. What a backend in another service
 * does: upload rows, follow progress, read the report as it streams, send API messages with an
 * idempotency key.
 */
import { SobotBulkApiError, SobotBulkClient, type CampaignView, type ReportRow } from '@sobot/client';
import { startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let sdk: SobotBulkClient;
let image: string;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 5 } });
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workerEnv: { SEND_RATE: '300' },
  });
  sdk = new SobotBulkClient({ baseUrl: sys.url, token: sys.token });
  image = `${sandbox.url}/images/sample.jpg`;
}, 90_000);

afterAll(async () => {
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
});

beforeEach(() => sandbox.reset());

test(
  'createCampaign(rows) → waitForCampaign with progress → ' + 'report() rows carry the wamids the API returned',
  async () => {
    const rows = Array.from({ length: 450 }, (_, i) => ({
      customer_number: `+91 98${String(i).padStart(8, '0')}`,
      customer_name: `Customer ${i}`,
    }));
    rows.push({ customer_number: '12', customer_name: 'Too short' });
    const upload = await sdk.createCampaign({ rows, imageUrl: image, caption: 'From the SDK', name: 'sdk' });
    expect(upload).toMatchObject({ total: 451, accepted: 450, rejected: 1, duplicates: 0 });
    expect(upload.errors).toEqual([expect.objectContaining({ row: 451, field: 'customer_number' })]);

    const seen: CampaignView[] = [];
    const final = await sdk.waitForCampaign(upload.id, {
      intervalMs: 100,
      timeoutMs: 60_000,
      onProgress: (v) => seen.push(v),
    });
    expect(final.status).toBe('completed');
    expect(final.counts).toMatchObject({ total: 450, sent: 450, failed: 0, pending: 0 });
    expect(seen.length).toBeGreaterThan(0);

    const report: ReportRow[] = [];
    for await (const row of sdk.report(upload.id)) report.push(row);
    expect(report).toHaveLength(450);
    const { byNumber, wamids } = sandbox.stats();
    for (const r of report) {
      expect(r.status).toBe('sent');
      expect(byNumber[r.customer_number]).toBe(1);
      expect(wamids[r.customer_number]).toEqual([r.wamid]);
    }
  },
);

test('sendMessages with an idempotency key sends once; getMessage shows the wamid; API errors are typed', async () => {
  const message = { customer_number: '919812300001', customer_name: 'Asha', url: image, caption: 'order 42 shipped' };
  const first = await sdk.sendMessages(message, { idempotencyKey: 'sdk-order-42' });
  const again = await sdk.sendMessages(message, { idempotencyKey: 'sdk-order-42' });
  expect(again.ids).toEqual(first.ids);
  expect(again.replayed).toBe(true);

  const id = first.ids[0]!;
  let view = await sdk.getMessage(id);
  for (const deadline = Date.now() + 20_000; view.status !== 'sent' && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 100));
    view = await sdk.getMessage(id);
  }
  expect(view.status).toBe('sent');
  expect(view.wamid).toBe(sandbox.stats().wamids['919812300001']![0]);
  expect(sandbox.stats().byNumber['919812300001']).toBe(1);

  const bad = await sdk.sendMessages({ ...message, url: 'ftp://x/y.jpg' }).catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(SobotBulkApiError);
  expect(bad).toMatchObject({ status: 400 });
});
