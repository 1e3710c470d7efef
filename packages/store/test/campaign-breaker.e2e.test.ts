import { CHUNK_SIZE, type Outcome } from '../src';
import { DEFAULTS, createCampaign, failed, useTestStore, recipient, sent } from './helpers';

/**
 * The campaign breaker (SPEC §13) as record-outcomes-6.lua keeps it: outcomes go through the ledger in the
 * order a worker would record them, and the campaign pauses (or not) with the code in `paused_reason`.
 */
const env = useTestStore();

const view = async (id: string) => (await env.store.campaigns.view(id))!;
const skipped = (code: string): Outcome => ({ ...failed(code, `${code} reason`), kind: 'k' });

/** Records `outcomes` for the campaign's recipients `from`, `from + 1` … in batches of `batch`, in order. */
async function recordFrom(id: string, from: number, outcomes: Outcome[], batch = 16): Promise<boolean> {
  let tripped = false;
  for (let start = 0; start < outcomes.length;) {
    const chunk = Math.floor((from + start) / CHUNK_SIZE);
    const entries = [];
    while (start < outcomes.length && entries.length < batch) {
      const index = from + start;
      if (Math.floor(index / CHUNK_SIZE) !== chunk) break;
      entries.push({ offset: index % CHUNK_SIZE, outcome: outcomes[start]! });
      start += 1;
    }
    const r = await env.store.ledger.record(id, chunk, CHUNK_SIZE, entries);
    tripped ||= r.breakerTripped;
  }
  return tripped;
}

/** `n` outcomes: `fails` of every `every` fail with `code` (the first ones of each group), the rest are sent. */
function pattern(n: number, code: string, fails: number, every: number): Outcome[] {
  return Array.from({ length: n }, (_, i) =>
    i % every < fails ? failed(code, 'Media upload error') : sent(`wamid.${i}`),
  );
}

test('one code failing half of the first 50 requests pauses the campaign as soon as that is certain', async () => {
  const id = await createCampaign(env.store, 300);
  // 131053 fails 2 of every 3: the 25th failure is request 37.
  expect(await recordFrom(id, 0, pattern(60, '131053', 2, 3))).toBe(true);
  const v = await view(id);
  expect(v.status).toBe('paused');
  expect(v.paused_reason).toBe(
    'campaign breaker: 131053 (Media upload error) failed 25 of the first 37 requests; fix the cause, ' +
      'then resume (the count starts afresh) or cancel',
  );
  // Outcomes that arrive while it is paused (requests that were in flight) are recorded, not counted.
  expect(v.counts).toMatchObject({ sent: 20, failed: 40, pending: 240 });
});

test('24 failures in the first 50 (under half) do not trip it; nor do codes that are not upstream codes', async () => {
  const id = await createCampaign(env.store, 300);
  const first = pattern(50, '131053', 1, 2).map((o, i) => (i % 2 === 0 && i >= 48 ? sent(`w${i}`) : o));
  expect(first.filter((o) => o.kind === 'f')).toHaveLength(24);
  expect(await recordFrom(id, 0, first)).toBe(false);
  // Our own codes (timeouts, 5xx after retries) are the outage breaker's business; skips are no requests.
  const ours = Array.from({ length: 150 }, (_, i) =>
    i % 3 === 0 ? failed('TIMEOUT', 'no answer') : i % 3 === 1 ? failed('HTTP_503', 'down') : skipped('SUPPRESSED'),
  );
  expect(await recordFrom(id, 50, ours)).toBe(false);
  const v = await view(id);
  expect(v.status).toBe('running');
  expect(v.counts).toMatchObject({ failed: 24 + 100, skipped: 50 });
});

test('any 200 consecutive requests: half failing with one code pauses it', async () => {
  const id = await createCampaign(env.store, 1200);
  expect(await recordFrom(id, 0, pattern(300, '131052', 0, 1))).toBe(false);
  // A third failing never trips it, however long it goes on.
  expect(await recordFrom(id, 300, pattern(300, '131052', 1, 3))).toBe(false);
  expect((await view(id)).status).toBe('running');
  // Then half: the last 200 requests hold 100 failures at the 100th failure of this run (the old third
  // slides out).
  expect(await recordFrom(id, 600, pattern(400, '131052', 1, 2))).toBe(true);
  const v = await view(id);
  expect(v.status).toBe('paused');
  expect(v.paused_reason).toMatch(/^campaign breaker: 131052 \(Media upload error\) failed 100 of the last 200 /);
});

test('the window counts requests of batches that all went well; retry-failed does not shift it', async () => {
  const id = await createCampaign(env.store, 1200);
  // 100 sent, then 99 failures: one short of half of the last 200.
  expect(await recordFrom(id, 0, pattern(100, '131052', 0, 1))).toBe(false);
  expect(await recordFrom(id, 100, pattern(99, '131052', 1, 1))).toBe(false);
  // Retry-failed lowers `failed` (it does not take requests back): the positions must not move with it.
  expect((await env.store.control.retryFailed(id)).reset).toBe(99);
  // 101 sent in batches without a failure (which leave the breaker alone), then 2 failures: the last 200
  // requests hold 97 + 2 of them, not 101.
  expect(await recordFrom(id, 199, pattern(101, '131052', 0, 1))).toBe(false);
  expect(await recordFrom(id, 300, pattern(2, '131052', 1, 1))).toBe(false);
  expect((await view(id)).status).toBe('running');
  // Without the sent ones between, the same failures trip it.
  const other = await createCampaign(env.store, 1200);
  expect(await recordFrom(other, 0, pattern(100, '131052', 0, 1))).toBe(false);
  expect(await recordFrom(other, 100, pattern(99, '131052', 1, 1))).toBe(false);
  expect(await recordFrom(other, 199, pattern(1, '131052', 1, 1))).toBe(true);
});

test('a resumed campaign starts a fresh count and is judged by the sliding window only', async () => {
  const id = await createCampaign(env.store, 600);
  expect(await recordFrom(id, 0, pattern(25, '131053', 1, 1), 5)).toBe(true);
  expect((await view(id)).status).toBe('paused');
  await env.store.control.resume(id);
  // 60 more failures: the old 25 are forgotten and the first-50 rule is spent, so this does not trip it.
  expect(await recordFrom(id, 25, pattern(60, '131053', 1, 1), 5)).toBe(false);
  expect((await view(id)).status).toBe('running');
  // 40 more make 100 since the resume.
  expect(await recordFrom(id, 85, pattern(40, '131053', 1, 1), 5)).toBe(true);
  const v = await view(id);
  expect(v.status).toBe('paused');
  expect(v.paused_reason).toContain('131053 (Media upload error) failed 100 of the last 100 requests');
});

test('a campaign that ends on the tripping write completes instead of pausing', async () => {
  const id = await createCampaign(env.store, 30);
  await recordFrom(id, 0, pattern(30, '131053', 1, 1), 30);
  expect((await view(id)).status).toBe('completed');
});

test('a cancelled campaign keeps its breaker window no longer than its results', async () => {
  const id = await createCampaign(env.store, 10);
  await recordFrom(id, 0, pattern(3, '131053', 1, 1));
  await env.store.control.cancel(id);
  expect(await env.ctx.redis.ttl(env.ctx.keys.breaker(id))).toBeGreaterThan(0);
});

test('API messages are not judged: each fails for itself and the call is never paused', async () => {
  const writer = env.store.newCampaign(DEFAULTS);
  for (let i = 0; i < 60; i += 1) await writer.add(recipient(i));
  await writer.commit({ name: 'api', source: 'api', defaults: DEFAULTS, total: 60, rejected: 0, duplicates: 0 });
  const outcomes = pattern(40, '131053', 1, 1).map((outcome, offset) => ({ offset, outcome }));
  const recorded = await env.store.ledger.record(writer.campaignId, 0, CHUNK_SIZE, outcomes, 'api');
  expect(recorded).toMatchObject({ applied: 40, breakerTripped: false });
  expect((await view(writer.campaignId)).status).toBe('running');
});
