import pino from 'pino';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import type { CampaignDefaults, SobotImageMessage } from '@sobot/schema';
import { CHUNK_SIZE, Store, type Outcome } from '../src';
import type { StoreContext } from '../src/context';
import { Keys } from '../src/keys';
import { createRedis, type RedisClient } from '../src/redis';

export const DEFAULTS: CampaignDefaults = { image_url: 'https://cdn.example.com/promo.jpg', caption: 'Hello from us' };

/** The result TTL of the tests' stores: one hour. */
export const RESULT_TTL_S = 3600;

const silent = pino({ level: 'silent' });

export interface OpenOptions {
  /** Another key prefix (a namespace of its own on the same Redis). Default: the test file's. */
  prefix?: string;
  resultTtlDays?: number;
}

/** One Redis for a test file, a prefix of its own, and every Store and connection opened on it closed at the end. */
export interface TestStore {
  /** The store under test (results kept RESULT_TTL_S). */
  store: Store;
  /** A raw connection to the same Redis and prefix, for assertions that look at keys directly. */
  ctx: StoreContext;
  url: string;
  prefix: string;
  /** Another Store on the same Redis, with connections of its own (closed by `close`). */
  open(opts?: OpenOptions): Store;
  /** Another raw connection to the same Redis and prefix (closed by `close`). */
  connect(): StoreContext;
  close(): Promise<void>;
}

/**
 * One TestStore for the test file: opened before its first test, closed after its last. Its fields are read when a
 * test runs (`env.store`), not when the file loads.
 */
export function useTestStore(): TestStore {
  let env: TestStore | undefined;
  beforeAll(async () => {
    env = await openStore();
  });
  afterAll(async () => {
    await env?.close();
  });
  return new Proxy({} as TestStore, {
    get: (_, key) => {
      if (!env) throw new Error('the test store opens in beforeAll: read it inside a test or hook');
      return env[key as keyof TestStore];
    },
  });
}

export async function openStore(): Promise<TestStore> {
  const server: TestRedis = await startTestRedis();
  const stores: Store[] = [];
  const clients: RedisClient[] = [];
  const open = (opts: OpenOptions = {}): Store => {
    const store = Store.open(
      {
        url: server.url,
        prefix: opts.prefix ?? server.prefix,
        resultTtlDays: opts.resultTtlDays ?? RESULT_TTL_S / 86_400,
      },
      silent,
    );
    stores.push(store);
    return store;
  };
  const keys = new Keys(server.prefix);
  const connect = (): StoreContext => {
    const redis = createRedis({ url: server.url });
    clients.push(redis);
    return { redis, keys };
  };
  return {
    store: open(),
    ctx: connect(),
    url: server.url,
    prefix: server.prefix,
    open,
    connect,
    async close() {
      await Promise.all(stores.map((s) => s.close()));
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await server.close();
    },
  };
}

/** The i-th test recipient: a distinct valid number, the campaign's image and caption. */
export function recipient(i: number, extra: Partial<SobotImageMessage> = {}): SobotImageMessage {
  return {
    type: 'image',
    url: DEFAULTS.image_url!,
    mime_type: 'image/jpeg',
    customer_number: `9199700${String(i).padStart(5, '0')}`,
    customer_name: `Customer ${i}`,
    caption: DEFAULTS.caption,
    ...extra,
  };
}

/** A committed campaign of `count` recipients (status queued, its chunk jobs enqueued); returns its id. */
export async function createCampaign(store: Store, count: number, name = 'test campaign'): Promise<string> {
  const writer = store.newCampaign(DEFAULTS);
  for (let i = 0; i < count; i += 1) await writer.add(recipient(i));
  await writer.commit({ name, source: 'upload', defaults: DEFAULTS, total: count, rejected: 0, duplicates: 0 });
  return writer.campaignId;
}

/** The chunks of a campaign that have a job in the send queue (waiting, delayed…), in order. */
export async function enqueuedChunks(store: Store, campaignId: string): Promise<number[]> {
  const lanes = await Promise.all(
    store.queue.queues.map((q) => q.getJobs(['wait', 'prioritized', 'delayed', 'active'])),
  );
  const jobs = lanes.flat();
  return jobs
    .filter((j) => j.data.campaignId === campaignId)
    .map((j) => j.data.chunk)
    .sort((a, b) => a - b);
}

const base = { attempts: 1, rounds: 0, at: 1_700_000_000_000, wamid: '', code: '', message: '' };
export const sent = (wamid: string, at = Date.now()): Outcome => ({ ...base, kind: 's', wamid, at });
export const failed = (code: string, message: string, at = Date.now()): Outcome => ({
  ...base,
  kind: 'f',
  code,
  message,
  at,
});
export const retrying = (code: string, message = 'temporarily unavailable'): Outcome => ({
  ...base,
  kind: 'r',
  code,
  message,
  attempts: 3,
  rounds: 1,
});

/** Records the outcome of recipient `index` (campaign-wide index) through the ledger. */
export function record(store: Store, campaignId: string, index: number, outcome: Outcome) {
  const chunk = Math.floor(index / CHUNK_SIZE);
  return store.ledger.record(campaignId, chunk, CHUNK_SIZE, [{ offset: index % CHUNK_SIZE, outcome }]);
}

/** Every key under the store's prefix that mentions `text`. */
export async function keysContaining(ctx: StoreContext, text: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await ctx.redis.scan(cursor, 'MATCH', `${ctx.keys.prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch.filter((k) => k.includes(text)));
  } while (cursor !== '0');
  return found;
}
