import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { Store, StoreFullError } from '@sobot/store';
import { startSendWorker, type SendWorker } from '../src';

/** Issue 14, finding 1: Redis full (maxmemory, noeviction) in the middle of a campaign. */
let redis: TestRedis;
let sandbox: Sandbox;
let store: Store;
let sender: SendWorker;
const lines: string[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  }),
);

const redisCli = (...args: string[]) => {
  const r = spawnSync('redis-cli', ['-u', redis.url, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

beforeAll(async () => {
  redis = await startTestRedis();
  if (!redis.server) return;
  sandbox = await startSandbox({ faults: { latencyMs: 5 } });
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, log);
  sender = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: 300,
    concurrency: 20,
    maxAttempts: 2,
  });
});

afterAll(async () => {
  if (redis?.server) redisCli('CONFIG', 'SET', 'maxmemory', '0');
  await sender?.close();
  await store?.close();
  await sandbox?.close();
  await redis?.close();
});

test('the worker waits out a full Redis and records every outcome and wamid once Redis takes writes again', async () => {
  if (!redis.server) return; // needs a redis-server of its own (not REDIS_URL)
  const image = `${sandbox.url}/images/sample.jpg`;
  const writer = store.newCampaign({ image_url: image });
  const count = 1_500;
  for (let i = 0; i < count; i += 1) {
    await writer.add({
      type: 'image',
      url: image,
      mime_type: 'image/jpeg',
      customer_number: `9199722${String(i).padStart(5, '0')}`,
      customer_name: `C${i}`,
    });
  }
  await writer.commit({
    name: 'full',
    source: 'upload',
    defaults: { image_url: image },
    total: count,
    rejected: 0,
    duplicates: 0,
  });
  const id = writer.campaignId;
  await waitFor(() => sandbox.stats().accepted >= 200, { what: '200 sends' });

  // Redis is full: every write is refused with OOM.
  redisCli('CONFIG', 'SET', 'maxmemory', '1');
  await expect(
    store.newCampaign({ image_url: image }).commit({
      name: 'refused',
      source: 'upload',
      defaults: { image_url: image },
      total: 0,
      rejected: 0,
      duplicates: 0,
    }),
  ).rejects.toBeInstanceOf(StoreFullError);
  expect(await store.health()).toMatchObject({ ok: false, code: 'STORE_FULL' });
  // The worker stops sending (its permits wait for outcome writes) and logs about it, briefly.
  await waitFor(() => lines.some((l) => l.includes('Redis is out of memory')), { what: 'the store-full log line' });
  const sentWhileFull = sandbox.stats().total;
  await new Promise((r) => setTimeout(r, 1_500));
  expect(sandbox.stats().total - sentWhileFull).toBeLessThanOrEqual(20);

  redisCli('CONFIG', 'SET', 'maxmemory', '0');
  const done = await waitFor(
    async () => {
      const v = await store.campaigns.view(id);
      return v?.status === 'completed' ? v : undefined;
    },
    { timeoutMs: 60_000, what: 'the campaign to complete' },
  );
  expect(done.counts).toMatchObject({ sent: count, failed: 0, pending: 0 });
  // Every number was sent once, and every wamid the API returned is in the webhook index.
  const stats = sandbox.stats();
  expect(Object.keys(stats.byNumber)).toHaveLength(count);
  expect(Object.values(stats.byNumber).every((n) => n === 1)).toBe(true);
  const wamids = Object.values(stats.wamids).flat();
  const results = await Promise.all(
    wamids.map((wamid) => store.deliveries.record({ wamid, status: 'delivered', at: Date.now() })),
  );
  expect(results.filter((r) => r === 'unknown')).toHaveLength(0);
  // Logged at most about once a second, never with a script's source or a command's arguments.
  const trouble = lines.filter((l) => l.includes('Redis is out of memory'));
  expect(trouble.length).toBeLessThanOrEqual(10);
  expect(lines.join('\n')).not.toMatch(/redis\.call|9199722\d{5}/);
});
