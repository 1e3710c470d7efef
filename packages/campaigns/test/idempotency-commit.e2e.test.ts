import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { messageInputSchema, validateRecipient } from '@sobot/schema';
import { newCampaignId, Store } from '@sobot/store';
import { sendMessages } from '../src';

/**
 * Found by `pnpm chaos` (seed 2): a producer SIGKILLed after writing a message call's campaign but before queueing
 * its chunk left the campaign `queued` with no job; the client's repeat with the same Idempotency-Key was answered
 * 202 with that campaign's ids, and the message stayed pending for ever. The repeat now queues the chunk again.
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
    customer_number: '919970000601',
    customer_name: 'A',
    url: 'https://cdn.example.com/a.jpg',
  }),
];

/** The chunk job of `campaignId` in any lane's queue, if there is one. */
async function chunkJob(campaignId: string) {
  for (const queue of store.queue.queues) {
    const job = await queue.getJob(`${campaignId}-0`);
    if (job) return job;
  }
  return undefined;
}

test('a call killed between writing its campaign and queueing it: its repeat queues the chunk', async () => {
  const key = 'order-601';
  // What the killed producer did: claimed the key, wrote and committed the campaign; its job never got queued
  // (removed here), and the key was never marked committed.
  const dead = newCampaignId();
  expect(await store.idempotency.claim(key, dead, JSON.stringify(messages))).toEqual({ fresh: true });
  const writer = store.newCampaign({}, dead);
  const valid = validateRecipient({ ...messages[0]!, url: messages[0]!.url }, {}, {});
  if (!valid.ok) throw new Error('the test message is invalid');
  await writer.add(valid.message);
  await writer.commit({ name: 'api', source: 'api', defaults: {}, total: 1, rejected: 0, duplicates: 0 });
  await (await chunkJob(dead))!.remove();
  expect(await chunkJob(dead)).toBeUndefined();

  const again = await sendMessages({ store }, messages, { idempotencyKey: key });
  expect(again).toMatchObject({ campaign_id: dead, replayed: true });
  expect((await chunkJob(dead))?.data).toEqual({ campaignId: dead, chunk: 0 });

  // A second repeat does not add the job twice.
  await sendMessages({ store }, messages, { idempotencyKey: key });
  const waiting = (await Promise.all(store.queue.queues.map((q) => q.getJobs(['wait', 'prioritized'])))).flat();
  expect(waiting.filter((j) => j.data.campaignId === dead)).toHaveLength(1);
});
