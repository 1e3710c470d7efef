import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { validateRecipient } from '@sobot/schema';
import { newCampaignId, Store } from '@sobot/store';
import { IdempotencyConflictError, IdempotencyInProgressError } from '../src';
import { once, type IdempotentCall } from '../src/idempotency';

/**
 * The one Idempotency-Key protocol (uploads and messages call it): first call creates, later calls replay or are
 * refused, a failed first call frees the key, racing calls make one campaign. Real Redis, real campaigns.
 */
let redis: TestRedis;
let store: Store;
let n = 0;

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
});

afterAll(async () => {
  await store?.close();
  await redis?.close();
});

/** Writes campaign `id` with one recipient, the fence awaited right before it appears. */
async function makeCampaign(id: string, fence: () => Promise<void>): Promise<void> {
  const valid = validateRecipient(
    { customer_number: '919970000701', customer_name: 'A', url: 'https://cdn.example.com/a.jpg' },
    {},
    {},
  );
  if (!valid.ok) throw new Error('the test recipient is invalid');
  const writer = store.newCampaign({}, id);
  await writer.add(valid.message);
  await fence();
  await writer.commit({ name: 'idem', source: 'api', defaults: {}, total: 1, rejected: 0, duplicates: 0 });
}

/** A call of the protocol that records what it did; `overrides` change one part. */
function call(key: string, overrides: Partial<IdempotentCall<string>> = {}) {
  const did: string[] = [];
  const campaignId = newCampaignId();
  const c: IdempotentCall<string> = {
    key,
    campaignId,
    request: 'options-a',
    whileHeld: 'refuse',
    create: async (fence) => {
      did.push('create');
      await makeCampaign(campaignId, fence);
      return { answer: `made ${campaignId}`, content: 'file-1', stored: `stored ${campaignId}` };
    },
    content: async () => {
      did.push('content');
      return 'file-1';
    },
    replay: async (id, stored) => `replay ${id} (${stored})`,
    conflict: (id, what) => new IdempotencyConflictError(`${what} differs from ${id}'s`),
    ...overrides,
  };
  return { c, did, campaignId };
}

const key = () => `key-${++n}`;

test('the first call creates; a later one reads its content and replays the stored answer', async () => {
  const k = key();
  const a = call(k);
  expect(await once({ store }, a.c)).toBe(`made ${a.campaignId}`);
  expect(a.did).toEqual(['create']);
  const b = call(k);
  expect(await once({ store }, b.c)).toBe(`replay ${a.campaignId} (stored ${a.campaignId})`);
  expect(b.did).toEqual(['content']);
  expect(await store.campaigns.meta(b.campaignId)).toBeFalsy();
});

test('another request or another content is refused, after the content was read', async () => {
  const k = key();
  const a = call(k);
  await once({ store }, a.c);
  const other = call(k, { request: 'options-b' });
  await expect(once({ store }, other.c)).rejects.toThrow(`request differs from ${a.campaignId}'s`);
  expect(other.did).toEqual(['content']);
  const otherFile = call(k, { content: async () => 'file-2' });
  await expect(once({ store }, otherFile.c)).rejects.toThrow(`content differs from ${a.campaignId}'s`);
  expect(otherFile.did).toEqual([]);
});

test('a failed first call frees the key: the retry creates', async () => {
  const k = key();
  const failing = call(k, {
    create: async () => {
      throw new Error('upstream image check failed');
    },
  });
  await expect(once({ store }, failing.c)).rejects.toThrow('upstream image check failed');
  const retry = call(k);
  expect(await once({ store }, retry.c)).toBe(`made ${retry.campaignId}`);
});

test('a call that fails after its campaign appeared keeps the key with that campaign', async () => {
  const k = key();
  const a = call(k);
  const broken = {
    ...a.c,
    create: async (fence: () => Promise<void>) => {
      await makeCampaign(a.campaignId, fence);
      throw new Error('answer lost');
    },
  };
  await expect(once({ store }, broken)).rejects.toThrow('answer lost');
  // Not released: the claim lapses into "done" for the campaign that exists; until then a retry is told to wait.
  await expect(once({ store }, call(k).c)).rejects.toBeInstanceOf(IdempotencyInProgressError);
});

test('while the first call is at work a later one is refused (refuse) or waits for its campaign (wait)', async () => {
  const k = key();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const inside = new Promise<void>((resolve) => (started = resolve));
  const a = call(k, {
    create: async (fence) => {
      started();
      await gate;
      await makeCampaign(a.campaignId, fence);
      return { answer: `made ${a.campaignId}` };
    },
  });
  const firstCall = once({ store }, a.c);
  await inside;
  await expect(once({ store }, call(k).c)).rejects.toBeInstanceOf(IdempotencyInProgressError);
  const waiting = once({ store }, call(k, { whileHeld: 'wait', content: undefined }).c);
  release();
  expect(await firstCall).toBe(`made ${a.campaignId}`);
  // No answer stored: the replay is built from the campaign alone.
  expect(await waiting).toBe(`replay ${a.campaignId} (undefined)`);
});

test('racing calls with one key make one campaign; the others replay it', async () => {
  const k = key();
  const calls = Array.from({ length: 12 }, () => call(k, { whileHeld: 'wait' }));
  const answers = await Promise.all(calls.map((x) => once({ store }, x.c)));
  const made = answers.filter((a) => a.startsWith('made '));
  expect(made).toHaveLength(1);
  const id = made[0]!.slice('made '.length);
  // A waiter that saw the campaign before its answer was stored builds the replay from the campaign alone.
  expect(answers.filter((a) => a.startsWith(`replay ${id} (`))).toHaveLength(11);
  expect(calls.flatMap((x) => x.did).filter((d) => d === 'create')).toHaveLength(1);
});
