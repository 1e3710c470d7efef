import { waitFor } from '@sobot/devkit';
import type { SobotImageMessage } from '@sobot/schema';
import { CHUNK_SIZE, type Store } from '../src';
import { DEFAULTS, enqueuedChunks, keysContaining, openStore, recipient, type TestStore } from './helpers';

let env: TestStore;
let store: Store;

beforeAll(async () => {
  env = await openStore();
  store = env.store;
});

afterAll(async () => {
  await env?.close();
});

/** Recipients of every shape: defaults, own caption, own image, no caption. */
function mixed(i: number): SobotImageMessage {
  if (i % 7 === 1) return recipient(i, { caption: `Only for ${i}` });
  if (i % 7 === 2) return recipient(i, { url: `https://cdn.example.com/p/${i}.png`, mime_type: 'image/png' });
  if (i % 7 === 3) {
    const r = recipient(i);
    delete r.caption;
    return r;
  }
  return recipient(i);
}

describe('CampaignWriter', () => {
  it('commits the campaign and its recipients in chunks of 200, enqueuing a job per chunk', async () => {
    const writer = store.newCampaign(DEFAULTS);
    const id = writer.campaignId;
    const messages = Array.from({ length: 450 }, (_, i) => mixed(i));
    for (const m of messages) await writer.add(m);
    expect(writer.count).toBe(450);
    // Nothing is visible before the commit, nor queued.
    expect(await store.campaigns.view(id)).toBeUndefined();
    expect(await enqueuedChunks(store, id)).toEqual([]);

    const rejectedRows = [{ row: 3, field: 'customer_number', message: 'must have 8 to 15 digits' }];
    await writer.commit(
      { name: 'Diwali', source: 'upload', defaults: DEFAULTS, total: 452, rejected: 1, duplicates: 1, rejectedRows },
      1_700_000_000_000,
    );
    const chunks = await enqueuedChunks(store, id);
    expect(chunks).toEqual([0, 1, 2]);

    const ledger = store.ledger;
    const loaded = await Promise.all(chunks.map((c) => ledger.loadChunk(id, c)));
    expect(loaded.map((l) => l?.recipients.length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, 50]);
    expect(loaded.flatMap((l) => l?.recipients ?? [])).toEqual(messages);
    expect(await ledger.loadChunk(id, 3)).toBeUndefined();

    const meta = loaded[0]!.meta;
    expect(meta).toMatchObject({
      id,
      name: 'Diwali',
      source: 'upload',
      status: 'queued',
      chunkSize: 200,
      chunks: 3,
      total: 452,
      accepted: 450,
      rejected: 1,
      duplicates: 1,
      createdAt: 1_700_000_000_000,
    });
    expect(meta.defaults).toEqual({ url: DEFAULTS.image_url, mime: 'image/jpeg', caption: DEFAULTS.caption });

    // Committed chunks no longer expire like staged ones.
    for (const c of chunks) expect(await env.ctx.redis.ttl(env.ctx.keys.chunk(id, c))).toBe(-1);

    const reader = store.campaigns;
    expect(await reader.rejectedRows(id)).toEqual(rejectedRows);
    expect((await reader.list()).map((v) => v.id)).toContain(id);
    expect(await reader.view(id)).toMatchObject({
      status: 'queued',
      counts: { total: 450, pending: 450, sent: 0, failed: 0 },
      rows: { total: 452, accepted: 450, rejected: 1, duplicates: 1 },
    });
  });

  it('enqueues chunk [0] for a campaign of exactly one full chunk and 2 chunks for 201 recipients', async () => {
    for (const [count, expected] of [
      [200, [0]],
      [201, [0, 1]],
      [1, [0]],
    ] as const) {
      const writer = store.newCampaign(DEFAULTS);
      for (let i = 0; i < count; i += 1) await writer.add(recipient(i));
      await writer.commit({ name: 'n', source: 'api', defaults: DEFAULTS, total: count, rejected: 0, duplicates: 0 });
      expect(await enqueuedChunks(store, writer.campaignId)).toEqual(expected);
    }
  });

  it('leaves no key of an aborted upload behind, even past the write window', async () => {
    const writer = store.newCampaign(DEFAULTS);
    const id = writer.campaignId;
    // 70 full chunks (more than the 64 writes kept in flight) and a partial one.
    for (let i = 0; i < 70 * CHUNK_SIZE + 13; i += 1) await writer.add(recipient(i));
    // Chunk writes land asynchronously (up to 64 in flight): wait for 70 of them rather than read once.
    await waitFor(async () => (await keysContaining(env.ctx, id)).length >= 70, { what: '70 staged chunks' });

    await writer.abort();
    expect(await keysContaining(env.ctx, id)).toEqual([]);
    expect(await store.campaigns.view(id)).toBeUndefined();
    expect(await enqueuedChunks(store, id)).toEqual([]);
  });

  it('screening an upload: suppressed numbers left out and counted, chunks still full (prefilter path)', async () => {
    // A full screening batch (4,000: through the prefilter, no inbound message) and a partial one (looked up).
    const count = 23 * CHUNK_SIZE + 50;
    const suppressed = Array.from({ length: count }, (_, i) => i).filter((i) => i % 10 === 3);
    await store.audience.suppress(suppressed.map((i) => recipient(i).customer_number));
    const writer = store.newCampaign(DEFAULTS, undefined, { suppression: true, window: true });
    for (let i = 0; i < count; i += 1) await writer.add(recipient(i));
    await writer.commit({ name: 's', source: 'upload', defaults: DEFAULTS, total: count, rejected: 0, duplicates: 0 });
    expect([writer.count, writer.suppressed, writer.inWindow]).toEqual([
      count - suppressed.length,
      suppressed.length,
      0,
    ]);
    const meta = (await store.ledger.meta(writer.campaignId))!;
    expect(meta).toMatchObject({ accepted: count - suppressed.length, suppressed: suppressed.length, inWindow: 0 });
    const chunks = await Promise.all(
      Array.from({ length: 21 }, async (_, c) => (await store.ledger.loadChunk(writer.campaignId, c))!.recipients),
    );
    expect(chunks.map((c) => c.length)).toEqual([...new Array(20).fill(CHUNK_SIZE), count - suppressed.length - 4000]);
    const stored = new Set(chunks.flat().map((r) => r.customer_number));
    expect(suppressed.filter((i) => stored.has(recipient(i).customer_number))).toEqual([]);
    await store.audience.unsuppress(suppressed.map((i) => recipient(i).customer_number));
  });

  it('screening an upload after an inbound message: in_window counted (exact lookups)', async () => {
    await store.audience.suppress([recipient(3).customer_number]);
    await store.audience.openWindows([{ number: recipient(4).customer_number, atMs: Date.now() }]);
    const writer = store.newCampaign(DEFAULTS, undefined, { suppression: true, window: true });
    for (let i = 0; i < 2_500; i += 1) await writer.add(recipient(i));
    await writer.commit({ name: 'w', source: 'upload', defaults: DEFAULTS, total: 2_500, rejected: 0, duplicates: 0 });
    expect([writer.count, writer.suppressed, writer.inWindow]).toEqual([2_499, 1, 1]);
    await store.audience.unsuppress([recipient(3).customer_number]);
  });

  it('an aborted screened upload leaves nothing behind either', async () => {
    await store.audience.suppress([recipient(5).customer_number]);
    const writer = store.newCampaign(DEFAULTS, undefined, { suppression: true, window: true });
    for (let i = 0; i < 30 * CHUNK_SIZE; i += 1) await writer.add(recipient(i));
    await writer.abort();
    expect(await keysContaining(env.ctx, writer.campaignId)).toEqual([]);
    await store.audience.unsuppress([recipient(5).customer_number]);
  });

  it('lists campaigns newest first', async () => {
    const ids: string[] = [];
    for (const createdAt of [2_000_000_000_000, 2_000_000_000_002, 2_000_000_000_001]) {
      const writer = store.newCampaign(DEFAULTS);
      const id = writer.campaignId;
      await writer.add(recipient(1));
      await writer.commit(
        { name: String(createdAt), source: 'upload', defaults: DEFAULTS, total: 1, rejected: 0, duplicates: 0 },
        createdAt,
      );
      ids.push(id);
    }
    expect((await store.campaigns.list(3)).map((v) => v.id)).toEqual([ids[1], ids[2], ids[0]]);
  });
});
