import { startTestRedis, type TestRedis } from '@sobot/devkit';
import type { CampaignDefaults, SobotImageMessage } from '@sobot/schema';
import {
  CampaignWriter,
  CHUNK_SIZE,
  Keys,
  Ledger,
  createRedis,
  newCampaignId,
  type Outcome,
  type RedisClient,
  type StoreContext,
} from '../src';

export const DEFAULTS: CampaignDefaults = { image_url: 'https://cdn.example.com/promo.jpg', caption: 'Hello from us' };

/** One Redis for a test file, a prefix of its own, and every connection opened on it closed at the end. */
export interface TestStore {
  ctx: StoreContext;
  url: string;
  /** Another connection to the same Redis and prefix (closed by `close`). */
  connect(): StoreContext;
  close(): Promise<void>;
}

export async function openStore(): Promise<TestStore> {
  const server: TestRedis = await startTestRedis();
  const clients: RedisClient[] = [];
  const keys = new Keys(server.prefix);
  const connect = (): StoreContext => {
    const redis = createRedis({ url: server.url });
    clients.push(redis);
    return { redis, keys };
  };
  const ctx = connect();
  return {
    ctx,
    url: server.url,
    connect,
    async close() {
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

/** A committed campaign of `count` recipients (status queued); returns its id. */
export async function createCampaign(ctx: StoreContext, count: number, name = 'test campaign'): Promise<string> {
  const id = newCampaignId();
  const writer = new CampaignWriter(ctx, id, DEFAULTS);
  for (let i = 0; i < count; i += 1) await writer.add(recipient(i));
  await writer.commit({ name, source: 'upload', defaults: DEFAULTS, total: count, rejected: 0, duplicates: 0 });
  return id;
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
export function record(ctx: StoreContext, campaignId: string, index: number, outcome: Outcome) {
  const chunk = Math.floor(index / CHUNK_SIZE);
  return new Ledger(ctx).record(campaignId, chunk, CHUNK_SIZE, [{ offset: index % CHUNK_SIZE, outcome }]);
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
