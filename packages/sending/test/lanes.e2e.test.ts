import { staysAt, waitFor } from '@sobot/devkit';
import type { CampaignHeader } from '@sobot/store';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/**
 * SPEC §10 lanes, against a real Redis, the sandbox and one worker in this process: bulk campaigns take turns,
 * a transactional message goes ahead of them, a scheduled campaign waits for its time.
 */
const RATE = 200;
let rig: SendingRig;
let series = 0;

beforeAll(async () => {
  rig = await startRig({ sendRate: RATE, concurrency: 40 });
});

afterAll(async () => {
  await rig?.close();
});

/** A committed campaign of `count` recipients whose numbers start with a prefix of its own. */
async function campaign(count: number, header: Partial<CampaignHeader> = {}): Promise<{ id: string; prefix: string }> {
  series += 1;
  const prefix = `91980${String(series).padStart(2, '0')}`;
  return { id: await commitCampaign(rig, numbers(prefix, count), header), prefix };
}

const arrivals = (prefix: string) => rig.sandbox.stats().received.filter((r) => r.number.startsWith(prefix));

test('a campaign uploaded after a big one starts at once, and the two share the rate', async () => {
  rig.sandbox.reset();
  const big = await campaign(3_000);
  await waitFor(() => arrivals(big.prefix).length >= 200, { what: 'the big campaign sending' });
  const small = await campaign(1_000);
  const t0 = Date.now();
  await waitFor(() => arrivals(small.prefix).length > 0, { timeoutMs: 10_000, what: 'the second campaign' });
  expect(Date.now() - t0).toBeLessThan(3_000);
  // Over a few seconds once both run, each gets about half of the sends.
  await waitFor(() => arrivals(small.prefix).length >= 600, { timeoutMs: 30_000, what: '600 sends of the second' });
  const from = arrivals(small.prefix)[100]!.at;
  const to = from + 2_000;
  const inWindow = (p: string) => arrivals(p).filter((r) => r.at >= from && r.at < to).length;
  const [a, b] = [inWindow(big.prefix), inWindow(small.prefix)];
  expect(a + b).toBeGreaterThan(RATE / 2);
  expect(b / (a + b)).toBeGreaterThan(0.35);
  expect(b / (a + b)).toBeLessThan(0.65);
  await rig.store.control.cancel(big.id);
  await rig.store.control.cancel(small.id);
});

test('a transactional message goes ahead of a saturating bulk campaign', async () => {
  rig.sandbox.reset();
  const bulk = await campaign(2_000);
  await waitFor(() => arrivals(bulk.prefix).length >= 300, { what: 'bulk saturating the rate' });
  const tx = await campaign(1, { source: 'api' });
  const t0 = Date.now();
  await waitFor(() => arrivals(tx.prefix).length === 1, { timeoutMs: 10_000, what: 'the transactional message' });
  // Ahead of the bulk backlog: only the bulk sends already booked or in flight (40 + a 250 ms horizon at 200/s)
  // arrive before it, not the 1,700 waiting.
  const txAt = arrivals(tx.prefix)[0]!.at;
  expect(arrivals(bulk.prefix).filter((r) => r.at >= t0 && r.at <= txAt).length).toBeLessThan(RATE);
  expect((await rig.store.campaigns.list()).map((c) => c.id)).not.toContain(tx.id);
  await rig.store.control.cancel(bulk.id);
});

test(
  'a scheduled campaign is "scheduled", sends nothing before its time, ' + 'and cancel works while it waits',
  async () => {
    rig.sandbox.reset();
    const sendAt = Date.now() + 2_500;
    const later = await campaign(20, { sendAt });
    const cancelled = await campaign(20, { sendAt });
    expect((await rig.store.campaigns.view(later.id))?.status).toBe('scheduled');
    await rig.store.control.cancel(cancelled.id);
    await waitFor(() => arrivals(later.prefix).length === 20, { timeoutMs: 15_000, what: 'the scheduled sends' });
    expect(Math.min(...arrivals(later.prefix).map((r) => r.at))).toBeGreaterThanOrEqual(sendAt);
    expect(arrivals(cancelled.prefix)).toHaveLength(0);
    await waitFor(async () => (await rig.store.campaigns.view(later.id))?.status === 'completed', {
      what: 'the scheduled campaign to complete',
    });
  },
);

test('pause and resume while scheduled: resumed before send_at it waits for it, then sends each once', async () => {
  rig.sandbox.reset();
  const sendAt = Date.now() + 3_000;
  const c = await campaign(30, { sendAt });
  await rig.store.control.pause(c.id);
  expect((await rig.store.campaigns.view(c.id))?.status).toBe('paused');
  // Resumed well before its time: it is scheduled again, and nothing goes early.
  expect((await rig.store.control.resume(c.id)).status).toBe('queued');
  expect((await rig.store.campaigns.view(c.id))?.status).toBe('scheduled');
  await waitFor(() => arrivals(c.prefix).length === 30, { timeoutMs: 15_000, what: 'the scheduled sends' });
  expect(Math.min(...arrivals(c.prefix).map((r) => r.at))).toBeGreaterThanOrEqual(sendAt);
  expect(new Set(arrivals(c.prefix).map((r) => r.number)).size).toBe(30);
});

test('paused through its send_at, a scheduled campaign sends nothing until resumed', async () => {
  rig.sandbox.reset();
  const sendAt = Date.now() + 1_000;
  const c = await campaign(30, { sendAt });
  await rig.store.control.pause(c.id);
  // Its chunks wake at send_at, find it paused and park: still nothing a second after its time.
  await waitFor(() => Date.now() > sendAt + 1_000, { intervalMs: 50, what: 'send_at to pass' });
  expect(await staysAt(() => arrivals(c.prefix).length, 0, 500)).toBe(true);
  const resumedAt = Date.now();
  await rig.store.control.resume(c.id);
  await waitFor(() => arrivals(c.prefix).length === 30, { timeoutMs: 15_000, what: 'the sends after resume' });
  expect(Math.min(...arrivals(c.prefix).map((r) => r.at))).toBeGreaterThanOrEqual(resumedAt);
  await waitFor(async () => (await rig.store.campaigns.view(c.id))?.status === 'completed', {
    what: 'the campaign to complete',
  });
});

test('five campaigns on one worker each get a fifth of a 10 s window (± 10%)', async () => {
  rig.sandbox.reset();
  // Every campaign keeps four chunks in the queue: 20 chunks, more than a worker ran at once before (16).
  const cs = [];
  for (const size of [3_000, 2_000, 3_500, 2_500, 3_000]) cs.push(await campaign(size));
  const last = cs[cs.length - 1]!;
  const t0 = await waitFor(() => arrivals(last.prefix)[0]?.at, { timeoutMs: 15_000, what: 'the last campaign' });
  await waitFor(() => (rig.sandbox.stats().received.at(-1)?.at ?? 0) >= t0 + 10_000, {
    timeoutMs: 40_000,
    what: 'a full 10 s window of sends',
  });
  const counts = cs.map((c) => arrivals(c.prefix).filter((r) => r.at >= t0 && r.at < t0 + 10_000).length);
  for (const c of cs) await rig.store.control.cancel(c.id);
  const total = counts.reduce((a, b) => a + b, 0);
  const ratios = counts.map((n) => (n / total) * cs.length);
  console.log(`lanes: ${total} sends in 10 s, share ÷ fair share ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  // ~2,000 sends (~400 a campaign) even at half the rate: the ± 10% band is ± 40 sends or more.
  expect(total).toBeGreaterThan(RATE * 4);
  for (const r of ratios) expect(r).toBeGreaterThanOrEqual(0.9);
  for (const r of ratios) expect(r).toBeLessThanOrEqual(1.1);
}, 60_000);
