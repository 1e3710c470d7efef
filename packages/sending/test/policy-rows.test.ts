import { waitFor } from '@sobot/devkit';
import type { UpstreamCode } from '@sobot/sandbox';
import { POLICY_TABLE } from '@sobot/sobot-client';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/**
 * One failure-path test per row of the error-code policy (packages/sobot-client/src/policy.ts): the sandbox
 * answers the row's code for some numbers, and the campaign ends (or waits) the way the row says.
 */
let rig: SendingRig;
let series = 0;

beforeAll(async () => {
  rig = await startRig({ sandbox: { faults: { latencyMs: 2 } }, sendRate: 500, concurrency: 10, maxAttempts: 2 });
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(async () => {
  rig.sandbox.reset();
  await rig.store.system.resume();
});

async function campaign(count: number) {
  series += 1;
  const list = numbers(`91966${String(series).padStart(2, '0')}`, count);
  return { id: await commitCampaign(rig, list), numbers: list };
}

const view = async (id: string) => (await rig.store.campaigns.view(id))!;
const requestsTo = (n: string) => rig.sandbox.stats().received.filter((r) => r.number === n).length;
const rowOf = (code: string) => POLICY_TABLE.find((r) => r.codes.includes(code))!;

test('reject: the recipient fails at once with the code (131047, 131026, 131053 …)', async () => {
  expect(rowOf('131026').kind).toBe('reject');
  const { id, numbers } = await campaign(4);
  rig.sandbox.setFaults({ numberCodes: { [numbers[0]!]: 131026, [numbers[1]!]: 131053 } });
  await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion' });
  const v = await view(id);
  expect(v.counts).toMatchObject({ sent: 2, failed: 2 });
  expect(v.failure_reasons.map((f) => f.code).sort()).toEqual(['131026', '131053']);
  expect(requestsTo(numbers[0]!)).toBe(1);
});

test('retry: a 5xx-like code is retried within the round, then fails after MAX_ATTEMPTS rounds', async () => {
  expect(rowOf('131000').kind).toBe('retry');
  const { id, numbers } = await campaign(2);
  rig.sandbox.setFaults({ numberCodes: { [numbers[0]!]: 131000 } });
  await waitFor(async () => (await view(id)).status === 'completed', { timeoutMs: 20_000, what: 'completion' });
  expect((await view(id)).counts).toMatchObject({ sent: 1, failed: 1 });
  // Two rounds (MAX_ATTEMPTS=2) of three requests each.
  expect(requestsTo(numbers[0]!)).toBe(6);
});

test('defer: a pair rate limit (131056) leaves the recipient pending for a later round, not failed', async () => {
  expect(rowOf('131056').kind).toBe('defer');
  const { id, numbers } = await campaign(2);
  rig.sandbox.setFaults({ numberCodes: { [numbers[0]!]: 131056 } });
  await waitFor(async () => (await view(id)).counts.sent === 1, { what: 'the other recipient sent' });
  await waitFor(() => requestsTo(numbers[0]!) >= 1, { what: 'the deferred request' });
  const v = await view(id);
  expect(v.counts).toMatchObject({ sent: 1, failed: 0, pending: 1 });
  expect(requestsTo(numbers[0]!)).toBe(1);
  await rig.store.control.cancel(id);
});

test.each(['368', '131031', '131042', '190', '131048'])(
  'block: %s pauses sending system-wide with the code in the reason; nobody fails',
  async (code) => {
    expect(rowOf(code).kind).toBe('block');
    const { id, numbers } = await campaign(3);
    const blocked = Number(code) as UpstreamCode;
    rig.sandbox.setFaults({ numberCodes: Object.fromEntries(numbers.map((n) => [n, blocked])) });
    const paused = await waitFor(
      async () => {
        const v = await view(id);
        return v.status === 'paused' ? v : undefined;
      },
      { what: 'the system pause' },
    );
    expect(paused.paused_reason).toContain(code);
    expect(paused.counts.failed).toBe(0);
    expect((await rig.store.system.current())?.code).toBe(code);
    await rig.store.control.cancel(id);
  },
);

test('throttle: 130429 holds everyone without spending the attempt, then the message is sent', async () => {
  expect(rowOf('130429').kind).toBe('throttle');
  const { id, numbers } = await campaign(1);
  rig.sandbox.setFaults({ numberCodes: { [numbers[0]!]: 130429 } });
  await waitFor(() => requestsTo(numbers[0]!) >= 2, { timeoutMs: 10_000, what: 'a second request after the hold' });
  rig.sandbox.setFaults({ numberCodes: {} });
  await waitFor(async () => (await view(id)).status === 'completed', { timeoutMs: 10_000, what: 'completion' });
  const v = await view(id);
  expect(v.counts).toMatchObject({ sent: 1, failed: 0 });
  const times = rig.sandbox
    .stats()
    .received.filter((r) => r.number === numbers[0])
    .map((r) => r.at);
  // Each 429 held the sender about a second (no Retry-After: the default wait).
  for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
});
