import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { messageInputSchema } from '@sobot/schema';
import { IDEMPOTENCY_LEASE_MS, newCampaignId, Store } from '@sobot/store';
import { sendMessages } from '../src';

/**
 * Issue 14, finding 3: a producer killed between claiming an idempotency key and committing its campaign must not
 * block the key for its lifetime. The dead producer's claim is made here exactly as sendMessages makes it.
 */
let redis: TestRedis;
let store: Store;

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
});

afterAll(async () => {
  await store?.close();
  await redis?.close();
});

const messages = [
  messageInputSchema.parse({
    customer_number: '919970000501',
    customer_name: 'A',
    url: 'https://cdn.example.com/a.jpg',
  }),
];

test('a claim whose campaign never appeared is taken over after its lease; later calls replay it', async () => {
  const key = 'order-501';
  // The producer that died had claimed the key for a campaign it never wrote.
  const dead = newCampaignId();
  expect(await store.idempotency.claim(key, dead, JSON.stringify(messages))).toEqual({ fresh: true });

  const t0 = Date.now();
  const first = await sendMessages({ store }, messages, { idempotencyKey: key });
  const waited = Date.now() - t0;
  expect(first.replayed).toBe(false);
  expect(first.campaign_id).not.toBe(dead);
  // It waited for the dead claim's lease, not for the key's lifetime.
  expect(waited).toBeLessThan(IDEMPOTENCY_LEASE_MS * 2 + 2_000);
  expect(await store.campaigns.message(first.ids[0]!)).toMatchObject({ customer_number: '919970000501' });

  const again = await sendMessages({ store }, messages, { idempotencyKey: key });
  expect(again).toEqual({ ...first, replayed: true });
}, 40_000);

test('a live claim is waited for: concurrent calls with one key create one campaign', async () => {
  const calls = await Promise.all(
    Array.from({ length: 20 }, () => sendMessages({ store }, messages, { idempotencyKey: 'order-502' })),
  );
  expect(new Set(calls.map((c) => c.campaign_id)).size).toBe(1);
  expect(calls.filter((c) => !c.replayed)).toHaveLength(1);
});
