import pino from 'pino';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { Store } from '@sobot/store';
import { startSendWorker, type SendWorker } from '../src';

const log = pino({ level: 'silent' });
let redis: TestRedis;
let sandbox: Sandbox;
let store: Store;
let sender: SendWorker;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, log);
  sender = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: 2_000,
    concurrency: 50,
    maxAttempts: 2,
  });
});

afterAll(async () => {
  await sender?.close();
  await store?.close();
  await sandbox?.close();
  await redis?.close();
});

test('chunks a passing canary releases are ordinary chunk jobs: removed once done, nothing left in the queue', async () => {
  const defaults = { image_url: `${sandbox.url}/images/sample.jpg` };
  const writer = store.newCampaign(defaults);
  const count = 650;
  for (let i = 0; i < count; i += 1) {
    await writer.add({
      type: 'image',
      url: defaults.image_url,
      mime_type: 'image/jpeg',
      customer_number: `9199711${String(i).padStart(5, '0')}`,
      customer_name: `C${i}`,
    });
  }
  await writer.commit({
    name: 'canary',
    source: 'upload',
    defaults,
    total: count,
    rejected: 0,
    duplicates: 0,
    canary: { size: 200, maxFailureRatio: 0.2 },
  });
  const id = writer.campaignId;
  const done = await waitFor(
    async () => {
      const v = await store.campaigns.view(id);
      return v?.status === 'completed' ? v : undefined;
    },
    { timeoutMs: 30_000, what: 'the canary campaign to complete' },
  );
  expect(done.counts).toMatchObject({ sent: count, failed: 0, pending: 0 });
  expect(sandbox.stats().total).toBe(count);
  // The three chunks released after the canary (200–649) got the queue's job options too: no completed job
  // stays behind (with BullMQ's defaults they would), and each may be retried after a crash.
  const counts = () => store.queue.lane('bulk').getJobCounts('completed', 'failed', 'wait', 'active', 'delayed');
  // The last chunk job may still be finishing when the campaign is seen completed.
  await waitFor(async () => (await counts()).active === 0, { what: 'the last chunk job to finish' });
  expect(await counts()).toEqual({ completed: 0, failed: 0, wait: 0, active: 0, delayed: 0 });
});
