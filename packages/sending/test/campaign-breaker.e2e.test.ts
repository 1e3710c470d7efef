import { settled, waitFor } from '@sobot/devkit';
import type { UpstreamCode } from '@sobot/sandbox';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/**
 * The campaign breaker end to end (SPEC §13): the sandbox answers 131053 (media upload failed) for a share of
 * a campaign's numbers; half or more pauses the campaign with the code in `paused_reason` and the rest of the
 * list is not requested; less completes it.
 */
let rig: SendingRig;
let series = 0;

beforeAll(async () => {
  rig = await startRig({ sandbox: { faults: { latencyMs: 2 } }, sendRate: 100, concurrency: 10, maxAttempts: 2 });
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(() => rig.sandbox.reset());

/** A campaign of `count` numbers; those for which `fails(i)` holds are answered `code`. */
async function campaign(count: number, code: UpstreamCode, fails: (i: number) => boolean) {
  series += 1;
  const list = numbers(`91955${String(series).padStart(2, '0')}`, count);
  rig.sandbox.setFaults({ numberCodes: Object.fromEntries(list.filter((_, i) => fails(i)).map((n) => [n, code])) });
  return { id: await commitCampaign(rig, list), numbers: list };
}

const view = async (id: string) => (await rig.store.campaigns.view(id))!;
const requests = (list: string[]) => {
  const ours = new Set(list);
  return rig.sandbox.stats().received.filter((r) => ours.has(r.number));
};

test('131053 failing 60% of the requests pauses the campaign with the code; the rest is not requested', async () => {
  const { id, numbers } = await campaign(300, 131053, (i) => i % 5 < 3);
  const paused = await waitFor(
    async () => {
      const v = await view(id);
      return v.status === 'paused' ? v : undefined;
    },
    { intervalMs: 20, what: 'the campaign breaker' },
  );
  const seenAt = Date.now();
  expect(paused.paused_reason).toMatch(
    /^campaign breaker: 131053 \(Media upload error\) failed 25 of the first \d+ requests; fix the cause/,
  );
  // Requests in flight when it tripped land; then nothing more goes out for this campaign.
  const sentInAll = await settled(() => requests(numbers).length, 1_000);
  // After the pause was seen, at most the requests in flight then (concurrency 10, twice for room) arrive.
  expect(requests(numbers).filter((r) => r.at > seenAt).length).toBeLessThanOrEqual(2 * 10);
  expect(sentInAll).toBeLessThan(100);
  const v = await view(id);
  expect(v.counts.pending).toBe(300 - sentInAll);
  expect(v.failure_reasons[0]).toMatchObject({ code: '131053' });
  // Every request was one recipient's only one (failed at once, sent once).
  expect(new Set(requests(numbers).map((r) => r.number)).size).toBe(sentInAll);

  // The image is fixed and the operator resumes: the rest goes out, and the old failures do not trip it again.
  rig.sandbox.setFaults({ numberCodes: {} });
  await rig.store.control.resume(id);
  await waitFor(async () => (await view(id)).status === 'completed', { timeoutMs: 20_000, what: 'completion' });
  const done = await view(id);
  expect(done.counts).toMatchObject({ sent: 300 - v.counts.failed, failed: v.counts.failed, pending: 0 });
  expect(requests(numbers)).toHaveLength(300);
});

test('131053 failing 40% of the requests does not trip it: the campaign completes', async () => {
  const { id, numbers } = await campaign(250, 131053, (i) => i % 5 === 0 || i % 5 === 3);
  await waitFor(async () => (await view(id)).status === 'completed', { timeoutMs: 20_000, what: 'completion' });
  const v = await view(id);
  expect(v.paused_reason).toBeNull();
  expect(v.counts).toMatchObject({ sent: 150, failed: 100, pending: 0 });
  expect(requests(numbers)).toHaveLength(250);
});
