/**
 * Issue 3, upstream faults: each kind of trouble the API can give ends in the expected report state.
 * Real `pnpm producer` / `pnpm worker` processes, real Redis, the sandbox injecting the faults.
 */
import { startSandbox, type Sandbox, type UpstreamCode } from '@sobot/sandbox';
import { json, startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let image: string;
let series = 0;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 5 } });
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workerEnv: { SEND_RATE: '200', WORKER_CONCURRENCY: '20', SOBOT_TIMEOUT_MS: '500' },
  });
  image = `${sandbox.url}/images/sample.jpg`;
});

afterAll(async () => {
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
});

beforeEach(() => sandbox.reset());

/** A list of `n` new numbers (a new series per test, so tests never share a number). */
function list(n: number): { csv: string; numbers: string[] } {
  series += 1;
  const numbers = Array.from(
    { length: n },
    (_, i) => `9177${String(series).padStart(2, '0')}${String(i).padStart(6, '0')}`,
  );
  return { csv: `phone,name\n${numbers.map((x, i) => `${x},Name ${i}`).join('\n')}\n`, numbers };
}

async function run(n: number) {
  const { csv, numbers } = list(n);
  const up = await sys.upload(csv, { image_url: image });
  expect(up.status).toBe(202);
  return { id: up.body.id as string, numbers };
}

function expectSentOnce(numbers: string[]) {
  const { byNumber } = sandbox.stats();
  for (const n of numbers) expect([n, byNumber[n]]).toEqual([n, 1]);
}

test('20% 503s, 5% 429s with Retry-After: 1 and numbers outside the 24-hour window', async () => {
  const { csv, numbers } = list(150);
  const closed = [numbers[10]!, numbers[77]!];
  sandbox.setFaults({ errorRatio: 0.2, rateLimitRatio: 0.05, retryAfterSeconds: 1, closedNumbers: closed });
  const up = await sys.upload(csv, { image_url: image });
  const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 90_000);
  expect(done.counts).toMatchObject({ total: 150, sent: 148, failed: 2, pending: 0 });
  expect(done.failure_reasons).toEqual([expect.objectContaining({ code: '131047', count: 2 })]);
  expectSentOnce(numbers.filter((n) => !closed.includes(n)));
  const rows = await sys.reportRows(up.body.id);
  const { wamids } = sandbox.stats();
  for (const r of rows) {
    if (closed.includes(r.customer_number)) expect(r).toMatchObject({ status: 'failed', error_code: '131047' });
    else expect(r).toMatchObject({ status: 'sent', wamid: wamids[r.customer_number]![0] });
  }
  expect(sandbox.stats().outcomes['429']).toBeGreaterThan(0);
});

test('hung requests are cut by the timeout and retried; resets are retried', async () => {
  sandbox.setFaults({ hangRatio: 0.1, resetRatio: 0.1 });
  const { id, numbers } = await run(60);
  const done = await sys.waitForCampaign(id, (c) => c.status === 'completed', 90_000);
  expect(done.counts).toMatchObject({ sent: 60, failed: 0 });
  const { outcomes, byNumber } = sandbox.stats();
  expect(outcomes.hang + outcomes.reset).toBeGreaterThan(0);
  // A hung request may have reached the API before it was cut: at least once, never lost.
  for (const n of numbers) expect(byNumber[n]).toBeGreaterThanOrEqual(1);
});

test('a wrong API key pauses sending with the reason shown, fails nobody, and resume picks up', async () => {
  sandbox.setFaults({ authFail: true });
  const { id, numbers } = await run(30);
  const paused = await sys.waitForCampaign(id, (c) => c.status === 'paused');
  expect(paused.paused_reason).toMatch(/401/);
  expect(paused.counts.failed).toBe(0);
  expect(sys.logs()).toMatch(/sending paused system-wide/);
  sandbox.setFaults({ authFail: false });
  const res = await sys.api(`/v1/campaigns/${id}/resume`, { method: 'POST' });
  expect(res.status).toBe(200);
  const done = await sys.waitForCampaign(id, (c) => c.status === 'completed');
  expect(done.counts).toMatchObject({ sent: 30, failed: 0 });
  expectSentOnce(numbers);
});

test('a sustained outage pauses sending instead of failing the campaign, and a probe resumes it', async () => {
  sandbox.setFaults({ errorRatio: 1 });
  const { id, numbers } = await run(200);
  const paused = await sys.waitForCampaign(id, (c) => c.status === 'paused', 30_000);
  expect(paused.paused_reason).toMatch(/outage/i);
  const requestsWhilePaused = sandbox.stats().total;
  sandbox.setFaults({ errorRatio: 0 });
  const done = await sys.waitForCampaign(id, (c) => c.status === 'completed', 90_000);
  expect(done.counts).toMatchObject({ sent: 200, failed: 0 });
  expect(requestsWhilePaused).toBeLessThan(200 * 3);
  expectSentOnce(numbers);
});

test('other 4xx answers fail the recipient at once with the upstream code and message', async () => {
  const { csv, numbers } = list(6);
  const refused: Record<string, UpstreamCode> = { [numbers[1]!]: 131026, [numbers[2]!]: 131051, [numbers[4]!]: 131009 };
  sandbox.setFaults({ numberCodes: refused });
  const up = await sys.upload(csv, { image_url: image });
  expect(up.status).toBe(202);
  const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(done.counts).toMatchObject({ sent: 3, failed: 3, pending: 0 });
  const rows = await sys.reportRows(up.body.id);
  for (const [number, code] of Object.entries(refused)) {
    const row = rows.find((r) => r.customer_number === number)!;
    // Failed at once: one request, the upstream's own code and message.
    expect(row).toMatchObject({ status: 'failed', error_code: String(code), attempts: 1 });
    expect(row.error_message.length).toBeGreaterThan(0);
  }
  const received = sandbox.stats().received;
  for (const n of numbers) expect(received.filter((r) => r.number === n)).toHaveLength(1);
});
