import {
  CampaignReader,
  CampaignWriter,
  Ledger,
  CHUNK_SIZE,
  expireCampaign,
  newCampaignId,
  persistCampaign,
  recordDelivery,
} from '../src';
import {
  DEFAULTS,
  createCampaign,
  failed,
  keysContaining,
  openStore,
  recipient,
  sent,
  type TestStore,
} from './helpers';

let store: TestStore;

beforeAll(async () => {
  store = await openStore();
});

afterAll(async () => {
  await store?.close();
});

async function ttls(id: string): Promise<Map<string, number>> {
  const keys = await keysContaining(store.ctx, id);
  return new Map(await Promise.all(keys.map(async (k) => [k, await store.ctx.redis.ttl(k)] as const)));
}

describe('retention', () => {
  it('gives every key of a finished campaign the result TTL, and takes it back for a retry', async () => {
    const id = await createCampaign(store.ctx, 230);
    const ledger = new Ledger(store.ctx);
    await ledger.record(id, 0, CHUNK_SIZE, [
      { offset: 0, outcome: sent('wamid.RT0') },
      { offset: 1, outcome: failed('400', 'bad media') },
    ]);
    await ledger.record(id, 1, CHUNK_SIZE, [{ offset: 0, outcome: sent('wamid.RT1') }]);
    await recordDelivery(store.ctx, { wamid: 'wamid.RT1', status: 'delivered', at: Date.now() });

    await expireCampaign(store.ctx, id, 3600);
    const expiring = await ttls(id);
    // meta, counts, failures, per-second rate, 2 chunks, 2 outcome hashes, 1 delivery hash at least.
    expect(expiring.size).toBeGreaterThanOrEqual(9);
    const forever = [...expiring].filter(([, ttl]) => ttl < 0 || ttl > 3600);
    expect(forever).toEqual([]);

    await persistCampaign(store.ctx, id);
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
      const id = newCampaignId();
      const writer = new CampaignWriter(store.ctx, id, DEFAULTS);
      await writer.add(recipient(0));
      await writer.commit(
        { name: 'listed', source: 'api', defaults: DEFAULTS, total: 1, rejected: 0, duplicates: 0 },
        createdAt,
      );
      ids.push(id);
    }
    // The newest one's results have expired (a TTL of 0 removes them now).
    await expireCampaign(store.ctx, ids[2]!, 0);
    expect(await keysContaining(store.ctx, ids[2]!)).toEqual([]);

    expect((await new CampaignReader(store.ctx).list(2)).map((v) => v.id)).toEqual([ids[1], ids[0]]);
  });
});
