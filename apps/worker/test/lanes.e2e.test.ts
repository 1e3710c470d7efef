/**
 * SPEC §10 with the product as a user runs it (producer and worker processes, a real Redis, the sandbox over
 * loopback): a scheduled campaign outlives a kill -9 of its worker and a Redis restart; `"lane":"bulk"` on a
 * message call shares the rate with bulk campaigns, `lane=transactional` on an upload goes ahead of them.
 */
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { waitFor, type AppProcess } from '@sobot/devkit';
import { csvOf, withSystem } from './system';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 5 } });
});
afterAll(async () => sandbox?.close());
beforeEach(() => sandbox.reset());

const image = () => `${sandbox.url}/images/sample.jpg`;

const started = (w: AppProcess) =>
  waitFor(() => w.output().includes('worker started'), { timeoutMs: 60_000, what: 'the worker to start' });

/** Every number sent exactly once, and none before `sendAt`. */
function expectSentOnceAfter(numbers: string[], sendAt: number): void {
  const { byNumber, received } = sandbox.stats();
  const ours = new Set(numbers);
  const times = received.filter((r) => ours.has(r.number)).map((r) => r.at);
  expect(times).toHaveLength(numbers.length);
  expect(Math.min(...times)).toBeGreaterThanOrEqual(sendAt);
  for (const n of numbers) expect([n, byNumber[n]]).toEqual([n, 1]);
}

test('a scheduled campaign survives kill -9 of its worker: nothing before send_at, each one once after', async () => {
  await withSystem(sandbox.url, { workerEnv: { SEND_RATE: '200', WORKER_CONCURRENCY: '20' } }, async (sys) => {
    await started(sys.workers[0]!);
    const { csv, numbers } = csvOf('9171', 300);
    // Far enough ahead for the kill and a new worker's start (a few seconds under tsx on a loaded machine).
    const sendAt = Date.now() + 12_000;
    const up = await sys.upload(csv, { image_url: image(), send_at: new Date(sendAt).toISOString() });
    expect(up.status).toBe(202);
    expect((await sys.campaign(up.body.id)).status).toBe('scheduled');
    await sys.workers[0]!.stop('SIGKILL');
    await started(sys.addWorker());
    expect(Date.now()).toBeLessThan(sendAt);
    expect(sandbox.stats().total).toBe(0);
    const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
    expect(done.counts).toMatchObject({ total: 300, sent: 300, failed: 0, pending: 0 });
    expectSentOnceAfter(numbers, sendAt);
  });
}, 120_000);

const ownRedis = process.env.REDIS_URL ? test.skip : test;
ownRedis(
  'a scheduled campaign survives a Redis restart (AOF): still scheduled, sent at its time, each recipient once',
  async () => {
    await withSystem(
      sandbox.url,
      { workerEnv: { SEND_RATE: '200', WORKER_CONCURRENCY: '20' }, appendonly: true },
      async (sys, redis) => {
        await started(sys.workers[0]!);
        const { csv, numbers } = csvOf('9172', 300);
        const sendAt = Date.now() + 8_000;
        const up = await sys.upload(csv, { image_url: image(), send_at: new Date(sendAt).toISOString() });
        expect(up.status).toBe(202);
        // A clean shutdown (SIGTERM: the AOF is flushed) and a start on the same port and directory.
        await redis.server!.stop();
        await redis.server!.restart();
        const after = await waitFor(
          async () => {
            const res = await sys.api(`/v1/campaigns/${up.body.id}`);
            return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
          },
          { timeoutMs: 15_000, what: 'the API back after the Redis restart' },
        );
        expect(Date.now()).toBeLessThan(sendAt);
        expect(after.status).toBe('scheduled');
        expect(sandbox.stats().total).toBe(0);
        const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed', 60_000);
        expect(done.counts).toMatchObject({ total: 300, sent: 300, failed: 0, pending: 0 });
        expectSentOnceAfter(numbers, sendAt);
      },
    );
  },
  120_000,
);

/**
 * Which lane a call went to shows in how it shares the rate with a bulk campaign that saturates it: a bulk call
 * takes turns with the campaign (about half each), a transactional one goes ahead (the campaign gets only the
 * requests that already held a send slot). The bounds are far from both (0.25 vs ~0.5, 0.2 vs ~0.05) and do
 * not depend on the machine's speed: they are shares of the requests the sandbox saw while the call was sent.
 */
test('"lane":"bulk" on messages shares the rate with bulk; lane=transactional on an upload goes ahead', async () => {
  await withSystem(sandbox.url, { workerEnv: { SEND_RATE: '200', WORKER_CONCURRENCY: '20' } }, async (sys) => {
    const bulk = csvOf('9173', 4_000);
    const campaign = await sys.upload(bulk.csv, { image_url: image() });
    expect(campaign.status).toBe(202);
    await waitFor(() => sandbox.stats().total >= 200, { timeoutMs: 30_000, what: 'the bulk campaign sending' });

    /** The bulk campaign's share of the requests from the first to the last of `prefix`'s. */
    const campaignShareWhile = (prefix: string) => {
      const got = sandbox.stats().received;
      const ours = got.filter((r) => r.number.startsWith(prefix));
      const from = ours[0]!.at;
      const to = ours[ours.length - 1]!.at;
      const theirs = got.filter((r) => r.number.startsWith('9173') && r.at >= from && r.at <= to).length;
      return theirs / (theirs + ours.length);
    };

    const asBulk = csvOf('9174', 300).numbers;
    const res = await sys.api('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        lane: 'bulk',
        messages: asBulk.map((n) => ({ customer_number: n, customer_name: 'B', url: image() })),
      }),
    });
    expect(res.status).toBe(202);
    const call = (await res.json()) as { campaign_id: string };
    await waitFor(() => asBulk.every((n) => sandbox.stats().byNumber[n] === 1), {
      timeoutMs: 30_000,
      what: 'the bulk-lane messages',
    });
    expect(((await sys.campaign(call.campaign_id)) as unknown as { lane: string }).lane).toBe('bulk');
    const bulkShare = campaignShareWhile('9174');

    const jump = csvOf('9175', 400);
    const tx = await sys.upload(jump.csv, { image_url: image(), lane: 'transactional' });
    expect(tx.status).toBe(202);
    await sys.waitForCampaign(tx.body.id, (c) => c.status === 'completed', 30_000);
    const txShare = campaignShareWhile('9175');
    console.log(
      `lanes: the bulk campaign had ${bulkShare.toFixed(2)} of the requests beside a bulk-lane call, ` +
        `${txShare.toFixed(2)} beside a transactional upload`,
    );
    expect(bulkShare).toBeGreaterThan(0.25);
    expect(txShare).toBeLessThan(0.2);
    await sys.api(`/v1/campaigns/${campaign.body.id}/cancel`, { method: 'POST' });
  });
}, 120_000);
