import { createHash } from 'node:crypto';
import { newCampaignId, type Claim, type Store } from '../src';
import { createCampaign, openStore, record, sent, type TestStore } from './helpers';

let env: TestStore;
let store: Store;

beforeAll(async () => {
  env = await openStore();
  store = env.store;
});

afterAll(async () => {
  await env?.close();
});

const counts = async (id: string) => (await store.campaigns.view(id))?.counts;

describe('delivery status events', () => {
  it('moves a message forward only: a delivered arriving after read is stale', async () => {
    const id = await createCampaign(store, 3);
    await record(store, id, 0, sent('wamid.D0'));
    const at = Date.now();

    expect(await store.deliveries.record({ wamid: 'wamid.D0', status: 'read', at })).toBe('applied');
    expect(await store.deliveries.record({ wamid: 'wamid.D0', status: 'delivered', at: at - 1000 })).toBe('stale');
    expect(await store.deliveries.record({ wamid: 'wamid.D0', status: 'sent', at: at - 2000 })).toBe('stale');
    expect(await store.deliveries.record({ wamid: 'wamid.D0', status: 'read', at })).toBe('stale');
    expect(await counts(id)).toMatchObject({ delivered: 1, read: 1, delivery_failed: 0 });
  });

  it('counts delivered and read messages once each as they move up', async () => {
    const id = await createCampaign(store, 3);
    for (const i of [0, 1, 2]) await record(store, id, i, sent(`wamid.M${i}`));
    const at = Date.now();
    expect(await store.deliveries.record({ wamid: 'wamid.M0', status: 'delivered', at })).toBe('applied');
    expect(await store.deliveries.record({ wamid: 'wamid.M1', status: 'delivered', at })).toBe('applied');
    expect(await store.deliveries.record({ wamid: 'wamid.M1', status: 'delivered', at })).toBe('stale');
    expect(await counts(id)).toMatchObject({ sent: 3, delivered: 2, read: 0 });

    expect(await store.deliveries.record({ wamid: 'wamid.M1', status: 'read', at: at + 5 })).toBe('applied');
    expect(await counts(id)).toMatchObject({ delivered: 2, read: 1 });
  });

  it('counts a delivery failure and shows its code on the sent message', async () => {
    const id = await createCampaign(store, 1);
    await record(store, id, 0, sent('wamid.F0'));
    expect(
      await store.deliveries.record({
        wamid: 'wamid.F0',
        status: 'failed',
        at: Date.now(),
        errorCode: '131026',
        errorMessage: 'Message undeliverable | blocked',
      }),
    ).toBe('applied');
    // failed ranks with delivered: a later delivered does not undo it.
    expect(await store.deliveries.record({ wamid: 'wamid.F0', status: 'delivered', at: Date.now() })).toBe('stale');
    expect(await counts(id)).toMatchObject({ sent: 1, delivered: 0, delivery_failed: 1 });

    const rows = [];
    for await (const row of store.campaigns.report(id)) rows.push(row);
    expect(rows).toEqual([
      expect.objectContaining({
        status: 'sent',
        delivery_status: 'failed',
        error_code: '131026',
        error_message: 'Message undeliverable | blocked',
      }),
    ]);
  });

  it('answers unknown for a wamid it never recorded', async () => {
    expect(await store.deliveries.record({ wamid: 'wamid.NOBODY', status: 'delivered', at: Date.now() })).toBe(
      'unknown',
    );
  });

  it('records a batch: known events applied (two campaigns, any order), unknown ones counted', async () => {
    const a = await createCampaign(store, 3);
    const b = await createCampaign(store, 2);
    for (const i of [0, 1, 2]) await record(store, a, i, sent(`wamid.BA${i}`));
    await record(store, b, 1, sent('wamid.BB1'));
    const at = Date.now();
    const tally = await store.deliveries.recordMany([
      { wamid: 'wamid.BA0', status: 'read', at },
      { wamid: 'wamid.BA0', status: 'delivered', at: at - 1 },
      { wamid: 'wamid.BA1', status: 'delivered', at },
      ...Array.from({ length: 300 }, (_, i) => ({ wamid: `wamid.NONE${i}`, status: 'read' as const, at })),
      { wamid: 'wamid.BB1', status: 'failed', at, errorCode: '131026', errorMessage: 'undeliverable' },
    ]);
    expect(tally).toEqual({ applied: 3, stale: 1, unknown: 300 });
    expect(await counts(a)).toMatchObject({ delivered: 2, read: 1, delivery_failed: 0 });
    expect(await counts(b)).toMatchObject({ delivered: 0, delivery_failed: 1 });
    expect(await store.deliveries.recordMany([])).toEqual({ applied: 0, stale: 0, unknown: 0 });
    expect(await store.deliveries.recordMany([{ wamid: 'wamid.BA1', status: 'read', at }])).toEqual({
      applied: 1,
      stale: 0,
      unknown: 0,
    });
  });
});

describe('idempotency keys', () => {
  it('lets exactly one of many concurrent claims of one key win, the others learn its campaign', async () => {
    // Four stores on four connections, as four API processes.
    const stores = [store, env.open(), env.open(), env.open()];
    const ids = Array.from({ length: 40 }, () => newCampaignId());
    const claims: Claim[] = await Promise.all(
      ids.map((id, i) => stores[i % stores.length]!.idempotency.claim('order-2024-001', id, '{"same":"body"}')),
    );

    const fresh = claims.flatMap((c, i) => (c.fresh ? [ids[i]] : []));
    expect(fresh).toHaveLength(1);
    for (const c of claims)
      if (!c.fresh) expect(c).toEqual({ fresh: false, campaignId: fresh[0], sameBody: true, committed: false });
  });

  it('tells a reuse with a different body apart, and frees a released key', async () => {
    const first = newCampaignId();
    expect(await store.idempotency.claim('key-b', first, 'body one')).toEqual({ fresh: true });
    expect(await store.idempotency.claim('key-b', newCampaignId(), 'body two')).toEqual({
      fresh: false,
      campaignId: first,
      sameBody: false,
      committed: false,
    });
    // Another key is independent; once its campaign is committed a reuse says so.
    const third = newCampaignId();
    expect(await store.idempotency.claim('key-c', third, 'body one')).toEqual({ fresh: true });
    await store.idempotency.commit('key-c', third, 'body one');
    expect(await store.idempotency.claim('key-c', newCampaignId(), 'body one')).toEqual({
      fresh: false,
      campaignId: third,
      sameBody: true,
      committed: true,
    });

    await store.idempotency.release('key-b', first);
    expect(await store.idempotency.claim('key-b', newCampaignId(), 'body two')).toEqual({ fresh: true });
  });

  /** Ends a claim's lease now, as if its holder had stopped renewing it long ago. */
  const expire = async (key: string) => {
    const hash = createHash('sha256').update(key).digest('hex');
    await env.ctx.redis.hset(env.ctx.keys.idempotency(hash), 'until', 0);
  };

  it('hands an expired claim whose campaign never appeared to the next caller; its holder cannot commit', async () => {
    const dead = newCampaignId();
    expect(await store.idempotency.acquire('key-d', dead, 'opts:')).toEqual({ fresh: true });
    expect(await store.idempotency.renew('key-d', dead)).toBe(true);
    await expire('key-d');
    const next = newCampaignId();
    expect(await store.idempotency.acquire('key-d', next, 'opts:')).toEqual({ fresh: true });
    // The late holder's renew (the fence before its commit) fails, and its release frees nothing.
    expect(await store.idempotency.renew('key-d', dead)).toBe(false);
    await store.idempotency.release('key-d', dead);
    expect(await store.idempotency.settle('key-d', dead, 'opts:x')).toBe(false);
    expect(await store.idempotency.settle('key-d', next, 'opts:file', '{"id":"x"}')).toBe(true);
    expect(await store.idempotency.acquire('key-d', newCampaignId(), 'opts:')).toEqual({
      fresh: false,
      campaignId: next,
      fingerprint: 'opts:file',
      committed: true,
      answer: '{"id":"x"}',
    });
  });

  it('marks an expired claim done when its campaign exists (its producer died after creating it)', async () => {
    const made = await createCampaign(store, 3);
    expect(await store.idempotency.acquire('key-e', made, 'opts:')).toEqual({ fresh: true });
    await expire('key-e');
    expect(await store.idempotency.acquire('key-e', newCampaignId(), 'opts:')).toMatchObject({
      fresh: false,
      campaignId: made,
      committed: true,
    });
  });
});
