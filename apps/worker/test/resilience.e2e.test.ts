/**
 * Issue 3, the processes around the sending: one global rate across worker processes, kill -9 of a
 * worker, a rolling restart (SIGTERM), and Redis itself killed and restarted. Each test checks the
 * report against what the API (the sandbox) really received.
 */
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { waitFor } from '@sobot/devkit';
import { csvOf, withSystem } from './system';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 20 } });
});
afterAll(async () => sandbox?.close());
beforeEach(() => sandbox.reset());

/** The most requests the sandbox received in any one-second window. */
function peakPerSecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i += 1) {
    while (t[i]! - t[j]! >= 1000) j += 1;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

test('two workers at SEND_RATE=40 share one rate: no one-second window over 44, mean ≥ 0.9 × 40', async () => {
  await withSystem(sandbox.url, { workers: 2, workerEnv: { SEND_RATE: '40' } }, async (sys) => {
    const { csv, numbers } = csvOf('9195', 480);
    const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg` });
    const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
    expect(done.counts.sent).toBe(480);
    const times = sandbox.stats().received.map((r) => r.at);
    expect(times).toHaveLength(480);
    const peak = peakPerSecond(times);
    const mean = (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
    console.log(`rate test: peak ${peak} in any 1 s window, mean ${mean.toFixed(1)}/s (SEND_RATE 40, 2 workers)`);
    expect(peak).toBeLessThanOrEqual(44);
    expect(mean).toBeGreaterThanOrEqual(36);
    expect(new Set(numbers.map((n) => sandbox.stats().byNumber[n])).size).toBe(1);
  });
}, 90_000);

test('kill -9 of a worker, twice, mid-campaign: nothing lost, doubles within the in-flight bound', async () => {
  const inFlight = 10;
  await withSystem(
    sandbox.url,
    {
      workers: 1,
      workerEnv: { SEND_RATE: '150', WORKER_CONCURRENCY: String(inFlight), WORKER_MAX_IN_FLIGHT: String(inFlight) },
    },
    async (sys) => {
      const { csv, numbers } = csvOf('9166', 1200);
      const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg` });
      for (const after of [250, 650]) {
        await waitFor(() => sandbox.stats().accepted >= after, { timeoutMs: 30_000, what: `${after} sends` });
        await sys.workers.at(-1)!.stop('SIGKILL');
        sys.addWorker();
      }
      const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 90_000);
      expect(done.counts).toMatchObject({ total: 1200, sent: 1200, failed: 0, pending: 0 });
      const { byNumber, wamids } = sandbox.stats();
      const doubles = numbers.reduce((sum, n) => sum + (byNumber[n] ?? 0) - 1, 0);
      for (const n of numbers) expect(byNumber[n]).toBeGreaterThanOrEqual(1);
      console.log(`kill -9 test: ${doubles} requests sent twice (bound ${2 * inFlight})`);
      expect(doubles).toBeLessThanOrEqual(2 * inFlight);
      for (const r of await sys.reportRows(up.body.id)) expect(wamids[r.customer_number]).toContain(r.wamid);
    },
  );
}, 150_000);

test('a rolling restart (SIGTERM, start) sends nothing twice', async () => {
  await withSystem(
    sandbox.url,
    { workers: 1, workerEnv: { SEND_RATE: '150', WORKER_CONCURRENCY: '20' } },
    async (sys) => {
      const { csv, numbers } = csvOf('9177', 900);
      const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg` });
      for (const after of [200, 500]) {
        await waitFor(() => sandbox.stats().accepted >= after, { timeoutMs: 30_000, what: `${after} sends` });
        const old = sys.workers.at(-1)!;
        sys.addWorker();
        expect(await old.stop('SIGTERM')).toBe(0);
        expect(old.output()).toMatch(/shut down cleanly/);
      }
      const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
      expect(done.counts).toMatchObject({ sent: 900, failed: 0 });
      const { byNumber } = sandbox.stats();
      for (const n of numbers) expect([n, byNumber[n]]).toEqual([n, 1]);
    },
  );
}, 120_000);

const ownRedis = process.env.REDIS_URL ? test.skip : test;
ownRedis(
  'Redis killed with -9 and restarted mid-campaign (AOF on): the campaign completes, nothing missing',
  async () => {
    await withSystem(
      sandbox.url,
      { workers: 1, workerEnv: { SEND_RATE: '150', WORKER_CONCURRENCY: '20' }, appendonly: true },
      async (sys, redis) => {
        const { csv, numbers } = csvOf('9188', 900);
        const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg` });
        await waitFor(() => sandbox.stats().accepted >= 300, { timeoutMs: 30_000, what: '300 sends' });
        await redis.server!.kill9();
        // While Redis is down the API answers at once with 503 rather than hanging.
        const t0 = Date.now();
        const down = await sys.api(`/v1/campaigns/${up.body.id}`);
        expect(down.status).toBe(503);
        expect(((await down.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
        expect(Date.now() - t0).toBeLessThan(5_000);
        await redis.server!.restart();
        const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 90_000);
        expect(done.counts).toMatchObject({ total: 900, failed: 0, pending: 0 });
        expect(done.counts.sent).toBe(900);
        const { byNumber } = sandbox.stats();
        for (const n of numbers) expect(byNumber[n]).toBeGreaterThanOrEqual(1);
      },
    );
  },
  150_000,
);
