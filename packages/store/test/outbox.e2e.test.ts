import { parseEventRef, eventRef, type Store } from '../src';
import { createCampaign, failed, openStore, record, sent, type TestStore } from './helpers';

let env: TestStore;
let store: Store;

beforeAll(async () => {
  env = await openStore();
  store = env.open();
});

afterAll(async () => {
  await env?.close();
});

const outbox = async (id: string) =>
  (await env.ctx.redis.xrange(env.ctx.keys.outbox(id), '-', '+')).map(([, f]) => f.join(' '));

test('no endpoint: the scripts write no event and mark no outbox', async () => {
  const id = await createCampaign(store, 2);
  await record(store, id, 0, sent('wamid.N0'));
  expect(await env.ctx.redis.exists(env.ctx.keys.outbox(id))).toBe(0);
  expect(await env.ctx.redis.zscore(env.ctx.keys.eventSources, id)).toBeNull();
});

describe('with an endpoint', () => {
  beforeAll(async () => {
    await store.eventEndpoints.create({ url: 'http://127.0.0.1:9/', events: [] }, 'whsec_x');
    store.outbox.reset();
  });

  test('each change writes its event in its own step, a repeated one none', async () => {
    const id = await createCampaign(store, 3);
    await record(store, id, 0, sent('wamid.E0'));
    await record(store, id, 0, sent('wamid.E0-again'));
    await record(store, id, 1, failed('131026', 'not on WhatsApp'));
    expect(await store.deliveries.record({ wamid: 'wamid.E0', status: 'delivered', at: Date.now() })).toBe('applied');
    expect(await store.deliveries.record({ wamid: 'wamid.E0', status: 'delivered', at: Date.now() })).toBe('stale');
    expect(await store.deliveries.record({ wamid: 'wamid.E0', status: 'read', at: Date.now() })).toBe('applied');
    await store.control.pause(id);
    await store.control.resume(id);
    await record(store, id, 2, sent('wamid.E2'));
    expect(await outbox(id)).toEqual(['t s i 0', 't f i 1', 't d i 0', 't r i 0', 't P', 't s i 2', 't C']);
    expect(Number(await env.ctx.redis.zscore(env.ctx.keys.eventSources, id))).toBeGreaterThanOrEqual(5);
  });

  test('the pump hands events over once and trims; a failed body is rebuilt from the ledger', async () => {
    const id = await createCampaign(store, 2);
    await record(store, id, 0, sent('wamid.P0'));
    await record(store, id, 1, failed('131026', 'not on WhatsApp'));
    const [source] = (await store.outboxPump.sources(100)).filter((s) => s.campaignId === id);
    const entries = await store.outboxPump.read(id, 100);
    const refs = entries.map((e) => eventRef(id, e.sid, e.kind, e.index));
    await store.outboxPump.handOver(id, entries.at(-1)!.sid, new Map([['ep_a', refs]]), new Map());
    expect(await store.outboxPump.settle(source!)).toBe(true);
    expect(await env.ctx.redis.xlen(env.ctx.keys.outbox(id))).toBe(0);
    const claimed = await store.eventDeliveries.claim('ep_a', 10, 30_000);
    expect(claimed.map((c) => c.ref).filter((r) => r.startsWith(id))).toEqual(refs);
    const body = await store.eventDeliveries.body(parseEventRef(refs[1]!)!);
    expect(body).toMatchObject({
      type: 'message.failed',
      data: { message_id: `${id}-1`, campaign_id: id, code: '131026', reason: 'not on WhatsApp', metadata: null },
    });
    expect(body!.data.customer_number).toMatch(/^\d+$/);
    // Claimed: not due again until the lease ends.
    expect(await store.eventDeliveries.claim('ep_a', 10, 30_000)).toEqual([]);
  });

  test('a source written again after it was listed stays listed', async () => {
    const id = await createCampaign(store, 2);
    await record(store, id, 0, sent('wamid.S0'));
    const [source] = (await store.outboxPump.sources(100)).filter((s) => s.campaignId === id);
    await record(store, id, 1, sent('wamid.S1'));
    expect(await store.outboxPump.settle(source!)).toBe(false);
  });
});
