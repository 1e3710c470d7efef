/**
 * The paged campaign list (issue 12): `GET /v1/campaigns?limit=&cursor=&status=` on the real producer (a
 * process, a Redis of the test's own), and the SDK's `listCampaigns` / `campaigns()` on top of it. No worker
 * runs: the campaigns stay queued (or scheduled, or cancelled) while the test pages through them.
 */
import { SobotBulkApiError, SobotBulkClient } from '@sobot/client';
import { campaignListSchema } from '@sobot/schema';
import { json, startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';

let redis: TestRedis;
let sys: System;
let sdk: SobotBulkClient;
/** Ids newest first, as the list must show them. */
const newestFirst: string[] = [];
const scheduled: string[] = [];
let cancelled: string;
const sendAt = new Date(Date.now() + 3_600_000).toISOString();

async function upload(i: number, query: Record<string, string> = {}): Promise<string> {
  const res = await sys.upload(`phone,name\n9198765${String(i).padStart(5, '0')},P\n`, {
    image_url: 'https://cdn.example.com/x.jpg',
    name: `list ${i}`,
    ...query,
  });
  expect({ status: res.status, body: res.status === 202 ? null : res.body }).toEqual({ status: 202, body: null });
  return res.body.id as string;
}

beforeAll(async () => {
  redis = await startTestRedis();
  sys = await startSystem({ redisUrl: redis.url, prefix: redis.prefix, sobotUrl: 'http://127.0.0.1:9', workers: 0 });
  sdk = new SobotBulkClient({ baseUrl: sys.url, token: sys.token });
  for (let i = 0; i < 7; i += 1) {
    const scheduledOne = i === 1 || i === 4;
    const id = await upload(i, scheduledOne ? { send_at: sendAt } : {});
    if (scheduledOne) scheduled.unshift(id);
    newestFirst.unshift(id);
  }
  cancelled = newestFirst[3]!; // upload 3, between the two scheduled ones (4 and 1)
  expect((await sys.api(`/v1/campaigns/${cancelled}/cancel`, { method: 'POST' })).status).toBe(200);
}, 90_000);

afterAll(async () => {
  await sys?.close();
  await redis?.close();
});

const list = async (query: string) => {
  const res = await sys.api(`/v1/campaigns${query}`);
  return { status: res.status, body: await json(res) };
};

test('pages newest first with next_cursor, answers in the documented shape, and ends with null', async () => {
  const first = await list('?limit=3');
  expect(first.status).toBe(200);
  expect(campaignListSchema.safeParse(first.body).success).toBe(true);
  const seen: string[] = first.body.campaigns.map((c: { id: string }) => c.id);
  expect(seen).toEqual(newestFirst.slice(0, 3));
  // A campaign created between two pages shows on top of the first page, not twice, not as a gap.
  const newer = await upload(99);
  let cursor: string | null = first.body.next_cursor;
  while (cursor !== null) {
    const page = await list(`?limit=3&cursor=${encodeURIComponent(cursor)}`);
    expect(page.status).toBe(200);
    seen.push(...page.body.campaigns.map((c: { id: string }) => c.id));
    cursor = page.body.next_cursor;
  }
  expect(seen).toEqual(newestFirst);
  expect((await list('?limit=1')).body.campaigns[0].id).toBe(newer);
  expect((await list('')).body).toMatchObject({ next_cursor: null });
  newestFirst.unshift(newer);
});

test('filters by status, scheduled (derived from send_at) and comma-separated lists included', async () => {
  const sched = await list('?status=scheduled&limit=1');
  expect(sched.body.campaigns.map((c: { id: string }) => c.id)).toEqual([scheduled[0]]);
  expect(sched.body.campaigns[0]).toMatchObject({ status: 'scheduled', send_at: sendAt });
  const rest = await list(`?status=scheduled&limit=1&cursor=${sched.body.next_cursor}`);
  expect(rest.body).toEqual({ campaigns: [expect.objectContaining({ id: scheduled[1] })], next_cursor: null });

  const two = await list('?status=cancelled,scheduled');
  expect(two.body.campaigns.map((c: { id: string }) => c.id)).toEqual([scheduled[0], cancelled, scheduled[1]]);
  const queued = (await list('?status=queued')).body.campaigns.map((c: { id: string }) => c.id);
  expect(queued).toEqual(newestFirst.filter((id) => id !== cancelled && !scheduled.includes(id)));
  expect((await list('?status=completed')).body).toEqual({ campaigns: [], next_cursor: null });
});

test('bad limit, status or cursor is a 400 in the error shape', async () => {
  for (const query of [
    '?limit=0',
    '?limit=201',
    '?limit=ten',
    '?status=sent',
    '?status=queued,bogus',
    '?cursor=not-a-cursor',
    `?cursor=${Buffer.from('1:../../etc').toString('base64url')}`,
  ]) {
    const res = await list(query);
    expect({ query, status: res.status }).toEqual({ query, status: 400 });
    expect(res.body).toEqual({
      error: { code: 'INVALID_REQUEST', message: expect.any(String), details: expect.anything() },
    });
  }
  expect((await list('?limit=200')).status).toBe(200);
});

test('the SDK: listCampaigns pages with cursor and status; campaigns() iterates every page', async () => {
  const page = await sdk.listCampaigns({ limit: 2 });
  expect(page.campaigns.map((c) => c.id)).toEqual(newestFirst.slice(0, 2));
  const next = await sdk.listCampaigns({ limit: 2, cursor: page.next_cursor! });
  expect(next.campaigns.map((c) => c.id)).toEqual(newestFirst.slice(2, 4));

  const all: string[] = [];
  for await (const c of sdk.campaigns({ limit: 3 })) all.push(c.id);
  expect(all).toEqual(newestFirst);
  const some: string[] = [];
  for await (const c of sdk.campaigns({ limit: 1, status: ['scheduled', 'cancelled'] })) some.push(c.id);
  expect(some).toEqual([scheduled[0], cancelled, scheduled[1]]);
  expect((await sdk.listCampaigns({ status: 'scheduled' })).campaigns.map((c) => c.id)).toEqual(scheduled);

  const err = await sdk.listCampaigns({ status: 'nope' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SobotBulkApiError);
  expect(err).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
});
