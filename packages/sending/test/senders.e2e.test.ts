import { waitFor } from '@sobot/devkit';
import type { Received } from '@sobot/sandbox';
import type { SenderSetup } from '../src';
import { addSender, commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/**
 * Several senders (SPEC §15), end to end: a real Redis, the sandbox with one key pair per sender, real send workers.
 * Each test has its own rig (its own Redis): sender state is shared by every campaign of a Redis.
 */
const KEYS = {
  a: { id: 'a', api_key: 'key-a', api_secret: 'sec-a' },
  b: { id: 'b', api_key: 'key-b', api_secret: 'sec-b' },
};
const setup = (id: 'a' | 'b', rate: number, portfolio = 'acme'): SenderSetup => ({
  info: { id, rate, portfolio, numbers: [] },
  credentials: { apiKey: KEYS[id].api_key, apiSecret: KEYS[id].api_secret },
});

let rig: SendingRig | undefined;
let closeMore: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closeMore) await c();
  closeMore = [];
  await rig?.close();
  rig = undefined;
});

const view = async (id: string) => (await rig!.store.campaigns.view(id))!;
const oks = () => rig!.sandbox.stats().received.filter((r) => r.outcome === 'ok');
const byKey = (list: Received[]) =>
  list.reduce<Record<string, number>>((m, r) => ({ ...m, [r.key ?? '?']: (m[r.key ?? '?'] ?? 0) + 1 }), {});
/** The most requests of one key in any 1-s window. */
function peakSecond(list: Received[], key: string): number {
  const at = list.filter((r) => r.key === key).map((r) => r.at);
  let best = 0;
  for (let i = 0, j = 0; j < at.length; j += 1) {
    while (at[j]! - at[i]! >= 1000) i += 1;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

test('two senders: each number signed with its sender’s keys, spread by rate, each under its own rate', async () => {
  rig = await startRig({
    sandbox: { keys: [KEYS.a, KEYS.b], faults: { latencyMs: 2 } },
    sendRate: 500,
    senders: { setups: [setup('a', 20), setup('b', 10)], limits: {}, single: false },
  });
  const id = await commitCampaign(rig, numbers('9190', 90));
  await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion', timeoutMs: 30_000 });
  const received = rig.sandbox.stats().received;
  expect(received.every((r) => r.outcome === 'ok')).toBe(true);
  const per = byKey(received);
  expect(per.a! + per.b!).toBe(90);
  // Spread by free capacity: a (20/s) takes about twice b's (10/s).
  expect(per.a!).toBeGreaterThan(per.b!);
  expect(per.b!).toBeGreaterThan(15);
  expect(peakSecond(received, 'a')).toBeLessThanOrEqual(22);
  expect(peakSecond(received, 'b')).toBeLessThanOrEqual(11);
  // Sticky: a second campaign to the same numbers goes through the same senders.
  const first = new Map(received.map((r) => [r.number, r.key]));
  rig.sandbox.reset();
  const again = await commitCampaign(rig, numbers('9190', 90));
  await waitFor(async () => (await view(again)).status === 'completed', { what: 'completion', timeoutMs: 30_000 });
  expect(rig.sandbox.stats().received.every((r) => first.get(r.number) === r.key)).toBe(true);
}, 60_000);

test('a revoked key pauses its sender only; its work moves to the other, nothing lost or failed', async () => {
  rig = await startRig({
    sandbox: { keys: [{ ...KEYS.a, fail_after: 5 }, KEYS.b], faults: { latencyMs: 2 } },
    sendRate: 500,
    senders: { setups: [setup('a', 50), setup('b', 50)], limits: {}, single: false },
  });
  const list = numbers('9191', 60);
  const id = await commitCampaign(rig, list);
  await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion', timeoutMs: 30_000 });
  const v = await view(id);
  expect(v.counts).toMatchObject({ sent: 60, failed: 0 });
  expect(new Set(oks().map((r) => r.number)).size).toBe(60);
  expect(oks().filter((r) => r.key === 'a').length).toBe(5);
  const states = await rig.store.senders.states();
  expect(states.get('a')?.paused).toMatchObject({ code: '401' });
  expect(states.get('b')?.paused ?? null).toBeNull();
  // The system is not paused.
  expect(await rig.store.system.current()).toBeNull();
}, 60_000);

test('with every allowed sender paused the campaign pauses NO_ACTIVE_SENDER', async () => {
  rig = await startRig({
    sandbox: { keys: [KEYS.a, KEYS.b], faults: { latencyMs: 2, revokedKeys: ['a', 'b'] } },
    sendRate: 500,
    senders: { setups: [setup('a', 50), setup('b', 50)], limits: {}, single: false },
  });
  const id = await commitCampaign(rig, numbers('9192', 10));
  const paused = await waitFor(
    async () => {
      const v = await view(id);
      return v.status === 'paused' ? v : undefined;
    },
    { what: 'the campaign paused', timeoutMs: 30_000 },
  );
  expect(paused.paused_reason).toMatch(/^NO_ACTIVE_SENDER/);
  expect(paused.counts.failed).toBe(0);
}, 60_000);

test('130429 slows that sender only: the other keeps its pace; everything is sent', async () => {
  rig = await startRig({
    // Key a takes 4 a second; its sender asks for 20.
    sandbox: { keys: [{ ...KEYS.a, rate: 4 }, KEYS.b], faults: { latencyMs: 2, retryAfterSeconds: 1 } },
    sendRate: 500,
    maxAttempts: 3,
    senders: { setups: [setup('a', 20), setup('b', 20)], limits: {}, single: false },
  });
  const id = await commitCampaign(rig, numbers('9193', 40));
  await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion', timeoutMs: 45_000 });
  expect((await view(id)).counts).toMatchObject({ sent: 40, failed: 0 });
  const received = rig.sandbox.stats().received;
  expect(received.filter((r) => r.code === 130429).every((r) => r.key === 'a')).toBe(true);
  expect(received.some((r) => r.code === 130429)).toBe(true);
  expect(await rig.store.system.current()).toBeNull();
  // /metrics per sender: requests and throttles (the workers' sums, pushed every second).
  const sums = await waitFor(
    async () => {
      const m = await rig!.store.metrics.read();
      return (m['sender:a:throttled'] ?? 0) > 0 && (m['sender:b:requests'] ?? 0) > 0 ? m : undefined;
    },
    { what: 'per-sender sums' },
  );
  expect(sums['sender:b:throttled'] ?? 0).toBe(0);
}, 60_000);

test('the messaging limit: 10 new numbers a window, the rest wait MESSAGING_LIMIT and go when it frees', async () => {
  rig = await startRig({
    sandbox: { keys: [KEYS.a], faults: { latencyMs: 2 } },
    sendRate: 500,
    senders: { setups: [setup('a', 100)], limits: { acme: 10 }, single: false },
    senderPolicy: { windowMs: 4_000 },
  });
  const id = await commitCampaign(rig, numbers('9194', 15));
  const waiting = await waitFor(
    async () => {
      const v = await view(id);
      return v.counts.sent === 10 && v.counts.waiting === 5 ? v : undefined;
    },
    { what: '10 sent, 5 waiting', timeoutMs: 30_000 },
  );
  expect(waiting.waiting_reason).toBe('MESSAGING_LIMIT');
  expect(waiting.waiting_until).not.toBeNull();
  expect(oks().length).toBe(10);
  await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion', timeoutMs: 30_000 });
  const times = oks().map((r) => r.at);
  expect(times.length).toBe(15);
  // The last five went out once the first ten left the (4 s) window.
  expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(3_900);
}, 60_000);

test('the pair rate: three messages to one number go PAIR_INTERVAL_MS apart', async () => {
  rig = await startRig({ sandbox: { faults: { latencyMs: 2 } }, sendRate: 500, pairIntervalMs: 1_500 });
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) ids.push(await commitCampaign(rig, ['919500000001']));
  for (const id of ids)
    await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion', timeoutMs: 30_000 });
  const at = oks()
    .map((r) => r.at)
    .sort((x, y) => x - y);
  expect(at.length).toBe(3);
  expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1_500 - 300);
  expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1_500 - 300);
}, 60_000);

test('131056 from the upstream: retried later without spending a round', async () => {
  rig = await startRig({
    sandbox: { faults: { latencyMs: 2 } },
    sendRate: 500,
    maxAttempts: 1,
    senderPolicy: {},
  });
  rig.sandbox.setFaults({ numberCodes: { '919600000001': 131056 } });
  const id = await commitCampaign(rig, ['919600000001']);
  await waitFor(async () => rig!.sandbox.stats().received.length >= 1, { what: 'the first request' });
  const m = await waitFor(
    async () => {
      const one = await rig!.store.campaigns.message(`${id}-0`);
      return one?.status === 'pending' && one.error_code === '131056' ? one : undefined;
    },
    { what: 'pending after 131056' },
  ).catch(() => undefined);
  // With MAX_ATTEMPTS 1 a spent round would have failed it.
  expect((await view(id)).counts.failed).toBe(0);
  void m;
  closeMore.push(async () => rig!.store.control.cancel(id).then(() => undefined));
});

test('one messaging budget: 4 workers racing for it never pass it', async () => {
  rig = await startRig({
    sandbox: { keys: [KEYS.a, KEYS.b], faults: { latencyMs: 2 } },
    sendRate: 500,
    senders: { setups: [setup('a', 100), setup('b', 100)], limits: { acme: 25 }, single: false },
  });
  for (let i = 0; i < 3; i += 1)
    closeMore.push(
      addSender(rig, {
        sendRate: 500,
        senders: { setups: [setup('a', 100), setup('b', 100)], limits: { acme: 25 }, single: false },
      }),
    );
  const ids: string[] = [];
  for (let c = 0; c < 4; c += 1) ids.push(await commitCampaign(rig, numbers(`9197${c}`, 20)));
  await waitFor(
    async () => {
      const vs = await Promise.all(ids.map(view));
      return vs.reduce((n, v) => n + v.counts.sent, 0) === 25 && vs.reduce((n, v) => n + v.counts.waiting, 0) === 55;
    },
    { what: '25 sent, 55 waiting', timeoutMs: 30_000 },
  );
  expect(new Set(oks().map((r) => r.number)).size).toBe(25);
  for (const id of ids) await rig.store.control.cancel(id).catch(() => undefined);
}, 60_000);

test('a campaign that names its sender goes through that sender only', async () => {
  rig = await startRig({
    sandbox: { keys: [KEYS.a, KEYS.b], faults: { latencyMs: 2 } },
    sendRate: 500,
    senders: { setups: [setup('a', 100), setup('b', 100)], limits: {}, single: false },
  });
  const id = await commitCampaign(rig, numbers('9198', 20), { senders: ['b'] });
  await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion', timeoutMs: 30_000 });
  expect(byKey(rig.sandbox.stats().received)).toEqual({ b: 20 });
}, 60_000);
