import { CHUNK_SIZE, type Store } from '../src';
import { expireCampaign, persistCampaign } from '../src/retention';
import {
  DEFAULTS,
  RESULT_TTL_S,
  createCampaign,
  failed,
  keysContaining,
  openStore,
  recipient,
  sent,
  type TestStore,
} from './helpers';

let env: TestStore;
let store: Store;

beforeAll(async () => {
  env = await openStore();
  store = env.store;
});

afterAll(async () => {
  await env?.close();
});

async function ttls(id: string): Promise<Map<string, number>> {
  const keys = await keysContaining(env.ctx, id);
  return new Map(await Promise.all(keys.map(async (k) => [k, await env.ctx.redis.ttl(k)] as const)));
}

describe('retention', () => {
  it('gives every key of a finished campaign the result TTL, and takes it back for a retry', async () => {
    const id = await createCampaign(store, 230);
    const ledger = store.ledger;
    await ledger.record(id, 0, CHUNK_SIZE, [
      { offset: 0, outcome: sent('wamid.RT0') },
      { offset: 1, outcome: failed('400', 'bad media') },
    ]);
    await ledger.record(id, 1, CHUNK_SIZE, [{ offset: 0, outcome: sent('wamid.RT1') }]);
    await store.deliveries.record({ wamid: 'wamid.RT1', status: 'delivered', at: Date.now() });

    // Finished: its results are kept the store's result TTL.
    await store.ledger.finish(id);
    const expiring = await ttls(id);
    // meta, counts, failures, per-second rate, 2 chunks, 2 outcome hashes, 1 delivery hash at least.
    expect(expiring.size).toBeGreaterThanOrEqual(9);
    const forever = [...expiring].filter(([, ttl]) => ttl < 0 || ttl > RESULT_TTL_S);
    expect(forever).toEqual([]);

    await persistCampaign(env.ctx, id);
    // Only the per-second rate counters keep their own short TTL.
    const kept = [...(await ttls(id))].filter(([k, ttl]) => ttl !== -1 && !k.endsWith(':s'));
    expect(kept).toEqual([]);
  });

  // BUG (retention.ts / campaign-view.ts): an expired campaign's id is never removed from the
  // campaign index (the sorted set `campaigns`), so after RESULT_TTL_DAYS `list(limit)` reads `limit`
  // ids, drops the expired ones and returns a short page although older campaigns exist (a client
  // that stops at a short page misses them), and the index grows for ever.
  test('an expired campaign does not take a place in the list', async () => {
    const ids: string[] = [];
    for (const createdAt of [2_100_000_000_000, 2_100_000_000_001, 2_100_000_000_002]) {
      const writer = store.newCampaign(DEFAULTS);
      const id = writer.campaignId;
      await writer.add(recipient(0));
      await writer.commit(
        { name: 'listed', source: 'upload', defaults: DEFAULTS, total: 1, rejected: 0, duplicates: 0 },
        createdAt,
      );
      ids.push(id);
    }
    // The newest one's results have expired (a TTL of 0 removes them now).
    await expireCampaign(env.ctx, ids[2]!, 0);
    expect(await keysContaining(env.ctx, ids[2]!)).toEqual([]);

    expect((await store.campaigns.list(2)).map((v) => v.id)).toEqual([ids[1], ids[0]]);
  });
});
