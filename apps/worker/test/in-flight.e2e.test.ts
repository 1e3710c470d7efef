/**
 * SPEC §15 "Reaching the rate", with a real worker process and a slow sandbox: the worker's in-flight limit grows
 * from the latency it sees (Little's law) past what WORKER_CONCURRENCY's old default allowed, and when
 * WORKER_MAX_IN_FLIGHT holds it back the campaign says so (`limited_by: in_flight_limit`) and /metrics shows the
 * limit. Counts only: the sandbox's own record of how many requests it was answering at once.
 */
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { waitFor } from '@sobot/devkit';
import { csvOf, withSystem } from './system';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 0 } });
});
afterAll(async () => sandbox?.close());

test('at 1 s upstream latency the in-flight grows past the old cap of 150 (SEND_RATE 300, defaults)', async () => {
  sandbox.reset();
  // Mean 1 s with jitter. The old default kept min(200, SEND_RATE / 2) = 150 in flight: 150 msg/s at most.
  sandbox.setFaults({ latencyMs: { min: 700, max: 1300 } });
  await withSystem(sandbox.url, { workerEnv: { SEND_RATE: '300' } }, async (sys) => {
    const { csv, numbers } = csvOf('9171', 1500);
    const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg` });
    expect(up.body.accepted).toBe(1500);
    await waitFor(() => sandbox.stats().maxConcurrent > 150, {
      timeoutMs: 60_000,
      what: 'more than 150 requests at the sandbox at once',
    });
    const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 120_000);
    expect(done.counts).toMatchObject({ total: 1500, sent: 1500, failed: 0, pending: 0 });
    const stats = sandbox.stats();
    console.log(`in-flight e2e: at most ${stats.maxConcurrent} requests at the sandbox at once (old cap 150)`);
    expect(stats.maxConcurrent).toBeGreaterThan(150);
    // Little's law for 300/s at ~1 s with headroom and the default max: never past WORKER_MAX_IN_FLIGHT (1000).
    expect(stats.maxConcurrent).toBeLessThanOrEqual(1000);
    for (const n of numbers) expect(stats.byNumber[n]).toBe(1);
  });
}, 180_000);

test('WORKER_MAX_IN_FLIGHT holds the sending: at most that many at once, limited_by, the gauge', async () => {
  sandbox.reset();
  sandbox.setFaults({ latencyMs: { min: 200, max: 400 } });
  await withSystem(sandbox.url, { workerEnv: { SEND_RATE: '100', WORKER_MAX_IN_FLIGHT: '5' } }, async (sys) => {
    const { csv } = csvOf('9172', 400);
    const up = await sys.upload(csv, { image_url: `${sandbox.url}/images/sample.jpg` });
    // 100/s at ~300 ms needs ~40 in flight; 5 are allowed.
    const limited = await waitFor(
      async () => {
        const c = (await (await sys.api(`/v1/campaigns/${up.body.id}`)).json()) as { limited_by: string | null };
        return c.limited_by === 'in_flight_limit' ? c : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'limited_by in_flight_limit' },
    );
    expect(limited.limited_by).toBe('in_flight_limit');
    const metrics = await (await sys.api('/metrics')).text();
    expect(metrics).toMatch(/^sobot_worker_in_flight_limit\{worker="[^"]+"\} 5$/m);
    expect(metrics).toMatch(/^sobot_limited_by\{reason="in_flight_limit"\} 1$/m);
    expect(sandbox.stats().total).toBeGreaterThan(5);
    expect(sandbox.stats().maxConcurrent).toBeLessThanOrEqual(5);
    // Paused: no rate shown, no limit named.
    expect((await sys.api(`/v1/campaigns/${up.body.id}/pause`, { method: 'POST' })).status).toBe(200);
    const paused = (await (await sys.api(`/v1/campaigns/${up.body.id}`)).json()) as Record<string, unknown>;
    expect(paused).toMatchObject({ status: 'paused', rate: 0, limited_by: null });
  });
}, 120_000);
