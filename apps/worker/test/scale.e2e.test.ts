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

const numbersFor = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(12 - prefix.length, '0')}`);
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
      const numbers = numbersFor('9193', 700);
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

test('three workers share one SEND_RATE and split the work: no one-second window over 1.1 × the rate', async () => {
  // 2,000 recipients are 10 chunks of 200: more than the three chunks one worker takes at a time, so
  // every worker must get some. At 150/s the campaign takes ~13 s.
  const rate = 150;
  const total = 2_000;
  const redis: TestRedis = await startTestRedis();
  let workerOutputs: string[] = [];
  try {
    const sys = await startSystem({
      redisUrl: redis.url,
      prefix: redis.prefix,
      sobotUrl: sandbox.url,
      workers: 3,
      workerEnv: { SEND_RATE: String(rate) },
    });
    try {
      const numbers = numbersFor('9194', total);
      const up = await sys.upload(csv(numbers), { image_url: `${sandbox.url}/images/sample.jpg` });
      await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
    } finally {
      await sys.close();
      workerOutputs = sys.workers.map((w) => w.output());
    }
  } finally {
    await redis.close();
  }
  const times = sandbox
    .stats()
    .received.map((r) => r.at)
    .sort((a, b) => a - b);
  expect(times).toHaveLength(total);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i]! - times[j]! >= 1000) j += 1;
    peak = Math.max(peak, i - j + 1);
  }
  const mean = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
  console.log(`3 workers at SEND_RATE ${rate}: peak ${peak} per 1 s window, mean ${mean.toFixed(1)}/s`);
  expect(peak).toBeLessThanOrEqual(rate * 1.1);
  expect(mean).toBeGreaterThanOrEqual(rate * 0.9);
  // Each of the three workers did part of the work (each logs its totals when it stops).
  const sent = workerOutputs.map((out) => Number(/"sent":(\d+)/.exec(out)?.[1] ?? 0));
  expect(sent.reduce((a, b) => a + b, 0)).toBe(total);
  for (const n of sent) expect(n).toBeGreaterThan(0);
}, 90_000);
