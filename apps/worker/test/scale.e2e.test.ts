/**
 * Issue 6: scale out. A campaign through a real 3-master Redis Cluster with two workers, and three
 * workers sharing one SEND_RATE (checked at the API's side, per one-second window).
 */
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { startSystem, startTestCluster, startTestRedis, type TestCluster, type TestRedis } from '@sobot/devkit';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 10 } });
});
afterAll(async () => sandbox?.close());
beforeEach(() => sandbox.reset());

const numbersFor = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(12 - prefix.length, '0')}`);
const csv = (numbers: string[]) => `phone,name\n${numbers.map((x, i) => `${x},N${i}`).join('\n')}\n`;

describe('Redis Cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster(3);
  }, 60_000);
  afterAll(async () => cluster?.close());

  test('a campaign runs through a 3-master cluster with two workers; the report is exact', async () => {
    const sys = await startSystem({
      redisUrl: cluster.url,
      prefix: 'sobot',
      sobotUrl: sandbox.url,
      workers: 2,
      env: { REDIS_CLUSTER: 'true' },
      workerEnv: { SEND_RATE: '500' },
    });
    try {
      const numbers = numbersFor('9133', 700);
      const up = await sys.upload(csv(numbers), { image_url: `${sandbox.url}/images/sample.jpg` });
      expect(up.status).toBe(202);
      expect(up.body.accepted).toBe(700);
      const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
      expect(done.counts).toMatchObject({ total: 700, sent: 700, failed: 0, pending: 0 });
      const { byNumber, wamids } = sandbox.stats();
      for (const n of numbers) expect(byNumber[n]).toBe(1);
      const rows = await sys.reportRows(up.body.id);
      expect(rows).toHaveLength(700);
      for (const r of rows) expect(wamids[r.customer_number]).toEqual([r.wamid]);
    } finally {
      await sys.close();
    }
  }, 120_000);
});

test('three workers share one SEND_RATE: no one-second window over 1.1 × the rate', async () => {
  const redis: TestRedis = await startTestRedis();
  const sys = await startSystem({ redisUrl: redis.url, prefix: redis.prefix, sobotUrl: sandbox.url, workers: 3, workerEnv: { SEND_RATE: '60' } });
  try {
    const numbers = numbersFor('9144', 540);
    const up = await sys.upload(csv(numbers), { image_url: `${sandbox.url}/images/sample.jpg` });
    await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
    const times = sandbox.stats().received.map((r) => r.at).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while (times[i]! - times[j]! >= 1000) j += 1;
      peak = Math.max(peak, i - j + 1);
    }
    const mean = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
    console.log(`3 workers at SEND_RATE 60: peak ${peak} per 1 s window, mean ${mean.toFixed(1)}/s`);
    expect(peak).toBeLessThanOrEqual(66);
    expect(mean).toBeGreaterThanOrEqual(54);
  } finally {
    await sys.close();
    // Each of the three workers did part of the work (each logs its totals when it stops).
    const sent = sys.workers.map((w) => Number(/"sent":(\d+)/.exec(w.output())?.[1] ?? 0));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(540);
    for (const n of sent) expect(n).toBeGreaterThan(0);
    await redis.close();
  }
}, 90_000);
