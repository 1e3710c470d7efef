import type { SobotImageMessage } from '@sobot/schema';
import { CampaignReader, CampaignWriter, CHUNK_SIZE, Ledger, newCampaignId } from '../src';
import { DEFAULTS, keysContaining, openStore, recipient, type TestStore } from './helpers';

let store: TestStore;

beforeAll(async () => {
  store = await openStore();
});

afterAll(async () => {
  await store?.close();
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
  it('commits the campaign and its recipients in chunks of 200, returning the chunk numbers', async () => {
    const id = newCampaignId();
    const writer = new CampaignWriter(store.ctx, id, DEFAULTS);
    const messages = Array.from({ length: 450 }, (_, i) => mixed(i));
    for (const m of messages) await writer.add(m);
    expect(writer.count).toBe(450);
    // Nothing is visible before the commit.
    expect(await new CampaignReader(store.ctx).view(id)).toBeUndefined();

    const rejectedRows = [{ row: 3, field: 'customer_number', message: 'must have 8 to 15 digits' }];
    const chunks = await writer.commit(
      { name: 'Diwali', source: 'upload', defaults: DEFAULTS, total: 452, rejected: 1, duplicates: 1, rejectedRows },
      1_700_000_000_000,
    );
    expect(chunks).toEqual([0, 1, 2]);

    const ledger = new Ledger(store.ctx);
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
    for (const c of chunks) expect(await store.ctx.redis.ttl(store.ctx.keys.chunk(id, c))).toBe(-1);

    const reader = new CampaignReader(store.ctx);
    expect(await reader.rejectedRows(id)).toEqual(rejectedRows);
    expect((await reader.list()).map((v) => v.id)).toContain(id);
    expect(await reader.view(id)).toMatchObject({
      status: 'queued',
      counts: { total: 450, pending: 450, sent: 0, failed: 0 },
      rows: { total: 452, accepted: 450, rejected: 1, duplicates: 1 },
    });
  });

  it('returns [0] for a campaign of exactly one full chunk and 2 chunks for 201 recipients', async () => {
    for (const [count, expected] of [
      [200, [0]],
      [201, [0, 1]],
      [1, [0]],
    ] as const) {
      const writer = new CampaignWriter(store.ctx, newCampaignId(), DEFAULTS);
      for (let i = 0; i < count; i += 1) await writer.add(recipient(i));
      expect(
        await writer.commit({ name: 'n', source: 'api', defaults: DEFAULTS, total: count, rejected: 0, duplicates: 0 }),
      ).toEqual(expected);
    }
  });

  it('leaves no key of an aborted upload behind, even past the write window', async () => {
    const id = newCampaignId();
    const writer = new CampaignWriter(store.ctx, id, DEFAULTS);
    // 70 full chunks (more than the 64 writes kept in flight) and a partial one.
    for (let i = 0; i < 70 * CHUNK_SIZE + 13; i += 1) await writer.add(recipient(i));
    expect((await keysContaining(store.ctx, id)).length).toBeGreaterThanOrEqual(70);

    await writer.abort();
    expect(await keysContaining(store.ctx, id)).toEqual([]);
    expect(await new CampaignReader(store.ctx).view(id)).toBeUndefined();
  });

  it('lists campaigns newest first', async () => {
    const ids: string[] = [];
    for (const createdAt of [2_000_000_000_000, 2_000_000_000_002, 2_000_000_000_001]) {
      const id = newCampaignId();
      const writer = new CampaignWriter(store.ctx, id, DEFAULTS);
      await writer.add(recipient(1));
      await writer.commit(
        { name: String(createdAt), source: 'api', defaults: DEFAULTS, total: 1, rejected: 0, duplicates: 0 },
        createdAt,
      );
      ids.push(id);
    }
    expect((await new CampaignReader(store.ctx).list(3)).map((v) => v.id)).toEqual([ids[1], ids[2], ids[0]]);
  });
});
