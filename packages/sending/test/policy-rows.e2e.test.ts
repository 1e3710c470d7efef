import { waitFor } from '@sobot/devkit';
import type { ErrorShape, UpstreamCode } from '@sobot/sandbox';
import { POLICY_TABLE } from '@sobot/sobot-client';
import { messageId } from '@sobot/store';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/**
 * One failure-path test per code of the error-code policy (packages/sobot-client/src/policy.ts, SPEC §13): the
 * sandbox answers the code for some numbers, and the campaign ends (or waits) the way its row says; then the
 * same through each answer shape the client reads (`error.code`, a top-level `code`, Meta's error object).
 * The side effects of 131047 / 131049 / 131050 (window, retry-failed, suppression) are tested where they live.
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

const REJECTED = rowOf('131026').codes;

test.each(REJECTED.map((code) => [code]))(
  'reject: %s fails the recipient at once (one request), reason kept',
  async (code) => {
    expect(rowOf(code).kind).toBe('reject');
    const { id, numbers } = await campaign(3);
    rig.sandbox.setFaults({ numberCodes: { [numbers[0]!]: Number(code) as UpstreamCode } });
    await waitFor(async () => (await view(id)).status === 'completed', { what: 'completion' });
    const v = await view(id);
    expect(v.counts).toMatchObject({ sent: 2, failed: 1, pending: 0 });
    expect(v.failure_reasons).toEqual([
      { code, count: 1, message: expect.stringMatching(/\S/), error_hint: expect.any(String) },
    ]);
    expect(requestsTo(numbers[0]!)).toBe(1);
    const message = await rig.store.campaigns.message(messageId(id, 0));
    expect(message).toMatchObject({ status: 'failed', error_code: code, attempts: 1 });
  },
);

const RETRIED = rowOf('131057').codes;

test.each(RETRIED.map((code) => [code]))(
  'retry: %s is retried like a 5xx within the round, then fails after MAX_ATTEMPTS rounds',
  async (code) => {
    expect(rowOf(code).kind).toBe('retry');
    // Nine recipients sent for one refused: this process's outage breaker (60% of its last 50 requests) stays
    // closed across the tests of this file.
    const { id, numbers } = await campaign(10);
    rig.sandbox.setFaults({ numberCodes: { [numbers[0]!]: Number(code) as UpstreamCode } });
    await waitFor(async () => (await view(id)).status === 'completed', { timeoutMs: 20_000, what: 'completion' });
    const v = await view(id);
    expect(v.counts).toMatchObject({ sent: 9, failed: 1 });
    expect(v.failure_reasons.map((f) => f.code)).toEqual([code]);
    // Two rounds (MAX_ATTEMPTS=2) of three requests each.
    expect(requestsTo(numbers[0]!)).toBe(6);
  },
);

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

test.each(['368', '131031', '131042', '190', '0', '131048'])(
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
    expect(paused.paused_reason).toContain(`(${code}: `);
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

test.each<[ErrorShape]>([['sobot'], ['meta'], ['flat']])(
  'the code is read from a %s-shaped answer: a refusal fails at once, an auth code pauses sending',
  async (errorShape) => {
    const refused = await campaign(2);
    rig.sandbox.setFaults({ errorShape, numberCodes: { [refused.numbers[0]!]: 131021 } });
    await waitFor(async () => (await view(refused.id)).status === 'completed', { what: 'completion' });
    expect((await view(refused.id)).failure_reasons.map((f) => f.code)).toEqual(['131021']);
    expect(requestsTo(refused.numbers[0]!)).toBe(1);

    const blocked = await campaign(2);
    rig.sandbox.setFaults({ errorShape, numberCodes: Object.fromEntries(blocked.numbers.map((n) => [n, 0])) });
    await waitFor(async () => (await view(blocked.id)).status === 'paused', { what: 'the system pause' });
    expect((await view(blocked.id)).paused_reason).toMatch(/\(0: /);
    expect((await rig.store.system.current())?.code).toBe('0');
    await rig.store.control.cancel(blocked.id);
  },
);
