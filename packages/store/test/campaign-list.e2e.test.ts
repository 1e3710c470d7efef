import type { CampaignStatus } from '@sobot/schema';
import { InvalidCursorError, type Store } from '../src';
import { Keys } from '../src/keys';
import { DEFAULTS, openStore, recipient, type TestStore } from './helpers';

let env: TestStore;

beforeAll(async () => {
  env = await openStore();
});

afterAll(async () => {
  await env?.close();
});

let namespaces = 0;
/** A store with a key prefix of its own: each test sees only its campaigns. */
function freshStore(): { store: Store; keys: Keys } {
  const prefix = `${env.prefix}:list${(namespaces += 1)}`;
  return { store: env.open({ prefix }), keys: new Keys(prefix) };
}

async function commit(store: Store, createdAt: number, sendAt?: number): Promise<string> {
  const writer = store.newCampaign(DEFAULTS);
  await writer.add(recipient(1));
  await writer.commit(
    {
      name: `c${createdAt}`,
      source: 'upload',
      defaults: DEFAULTS,
      total: 1,
      rejected: 0,
      duplicates: 0,
      ...(sendAt ? { sendAt } : {}),
    },
    createdAt,
  );
  return writer.campaignId;
}

/** Every page of the list, following next_cursor; the ids in the order they came. */
async function allPages(store: Store, limit: number, statuses?: CampaignStatus[]): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard += 1) {
    const page = await store.campaigns.listPage({ limit, cursor, statuses });
    pages.push(page.campaigns.map((c) => c.id));
    if (page.next_cursor === null) return pages;
    cursor = page.next_cursor;
  }
  throw new Error('the pages never ended');
}

const T = 2_000_000_000_000;

describe('CampaignReader.listPage', () => {
  it('pages newest first by creation time, ties by id, each campaign exactly once', async () => {
    const { store } = freshStore();
    const ids: Array<{ id: string; at: number }> = [];
    for (const at of [T + 5, T + 1, T + 3, T + 3, T + 3, T + 9, T + 2]) ids.push({ id: await commit(store, at), at });
    const expected = [...ids].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((c) => c.id);

    const pages = await allPages(store, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(expected);
    // A page that ends exactly at the last campaign says there is nothing more.
    expect((await allPages(store, 7)).map((p) => p.length)).toEqual([7]);
    expect((await store.campaigns.list(2)).map((c) => c.id)).toEqual(expected.slice(0, 2));
  });

  it('is not shifted by campaigns created while an operator pages (a cursor, not an offset)', async () => {
    const { store } = freshStore();
    for (let i = 0; i < 6; i += 1) await commit(store, T + i);
    const first = await store.campaigns.listPage({ limit: 2 });
    const shown = first.campaigns.map((c) => c.id);
    // Two newer campaigns arrive; the next pages go on where the first one stopped.
    await commit(store, T + 100);
    await commit(store, T + 101);
    let cursor = first.next_cursor;
    while (cursor !== null) {
      const page = await store.campaigns.listPage({ limit: 2, cursor });
      shown.push(...page.campaigns.map((c) => c.id));
      cursor = page.next_cursor;
    }
    expect(shown).toHaveLength(6);
    expect(new Set(shown).size).toBe(6);
    const created = await Promise.all(shown.map(async (id) => (await store.campaigns.meta(id))!.createdAt));
    expect(created).toEqual([5, 4, 3, 2, 1, 0].map((i) => T + i));
  });

  it('pages through many campaigns created in the same millisecond', async () => {
    const { store } = freshStore();
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) ids.push(await commit(store, T));
    const pages = await allPages(store, 7);
    expect(pages.flat()).toEqual([...ids].sort().reverse());
  });

  it('filters by the status shown, scheduled and cancelled included, across pages', async () => {
    const { store } = freshStore();
    const later = Date.now() + 3_600_000;
    const scheduled = [await commit(store, T + 1, later), await commit(store, T + 4, later)];
    const queued = [await commit(store, T + 2), await commit(store, T + 3), await commit(store, T + 5)];
    const cancelled = await commit(store, T + 6);
    await store.control.cancel(cancelled);

    const pages = await allPages(store, 1, ['scheduled']);
    // The last match's page says there is nothing more (the unscheduled campaign after it is not a next page).
    expect(pages).toEqual([[scheduled[1]], [scheduled[0]]]);
    expect((await allPages(store, 2, ['queued'])).flat()).toEqual([queued[2], queued[1], queued[0]]);
    expect((await allPages(store, 50, ['cancelled', 'scheduled'])).flat()).toEqual([
      cancelled,
      scheduled[1],
      scheduled[0],
    ]);
    expect((await allPages(store, 50, ['completed'])).flat()).toEqual([]);
    const views = (await store.campaigns.listPage({ statuses: ['scheduled'] })).campaigns;
    expect(views.map((v) => [v.status, v.send_at])).toEqual([
      ['scheduled', new Date(later).toISOString()],
      ['scheduled', new Date(later).toISOString()],
    ]);
  });

  it('drops campaigns whose results expired from the index as it meets them', async () => {
    const { store, keys } = freshStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await commit(store, T + i));
    await env.ctx.redis.del(keys.meta(ids[3]!), keys.meta(ids[1]!));
    expect((await allPages(store, 2)).flat()).toEqual([ids[4], ids[2], ids[0]]);
    expect(await env.ctx.redis.zrange(keys.campaignIndex, 0, -1)).toEqual([ids[0], ids[2], ids[4]]);
  });

  it('refuses a cursor it did not hand out', async () => {
    const { store } = freshStore();
    await commit(store, T);
    for (const bad of ['x', 'not a cursor!', Buffer.from('12:nope').toString('base64url'), '']) {
      await expect(store.campaigns.listPage({ cursor: bad })).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });
});
