/**
 * `skipped` through the HTTP API (SPEC §12): counts and skip_reasons in the campaign view, report rows in every
 * format, the message view, the message list and the summary. The skipped outcomes are written through the
 * ledger, as the worker writes them; every answer is checked against its schema.
 */
import type { FastifyInstance } from 'fastify';
import {
  campaignViewSchema,
  messageListSchema,
  messageSummarySchema,
  messageViewSchema,
  reportRowSchema,
  type SobotImageMessage,
} from '@sobot/schema';
import { CHUNK_SIZE, messageId, type Outcome, type Store } from '@sobot/store';
import { TestProducers } from './producers';

const KEY = 'skipped-key';
const auth = { authorization: `Bearer ${KEY}` };
const IMAGE = 'https://cdn.example.com/promo.jpg';

let producers: TestProducers;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  producers = await TestProducers.start(KEY);
  ({ app, store } = await producers.open({ BOARD_USER: 'ops', BOARD_PASSWORD: 'board-pass', LOG_LEVEL: 'silent' }));
});

afterAll(async () => {
  await producers?.close();
});

const at = Date.now();
const outcome = (kind: Outcome['kind'], code = '', message = '', wamid = ''): Outcome => ({
  kind,
  attempts: kind === 'k' ? 0 : 1,
  rounds: kind === 'k' ? 0 : 1,
  at,
  wamid,
  code,
  message,
});
const SUPPRESSED = outcome('k', 'SUPPRESSED', 'the number is on the suppression list');
const OUTSIDE = outcome('k', 'OUTSIDE_WINDOW', 'no message from the customer in the last 24 hours');

/** A campaign of `count` recipients whose first outcomes are `outcomes`; its id. */
async function campaign(source: 'upload' | 'api', count: number, outcomes: Outcome[]): Promise<string> {
  const defaults = { image_url: IMAGE };
  const writer = store.newCampaign(defaults);
  for (let i = 0; i < count; i += 1) {
    const m: SobotImageMessage = {
      type: 'image',
      url: IMAGE,
      mime_type: 'image/jpeg',
      customer_number: `91977${source === 'api' ? 1 : 2}${String(i).padStart(6, '0')}`,
      customer_name: `C${i}`,
    };
    await writer.add(m);
  }
  await writer.commit({ name: 'skips', source, defaults, total: count, rejected: 0, duplicates: 0 });
  const id = writer.campaignId;
  await store.ledger.record(
    id,
    0,
    CHUNK_SIZE,
    outcomes.map((o, offset) => ({ offset, outcome: o })),
    source,
  );
  return id;
}

const get = async (url: string) => {
  const res = await app.inject({ url, headers: auth });
  expect(res.statusCode).toBe(200);
  return res;
};

test('the campaign view counts skipped recipients and groups them by reason', async () => {
  const id = await campaign('upload', 5, [outcome('s', '', '', 'wamid.S0'), SUPPRESSED, OUTSIDE, SUPPRESSED]);
  const v = campaignViewSchema.parse((await get(`/v1/campaigns/${id}`)).json());
  expect(v.counts).toMatchObject({ total: 5, sent: 1, failed: 0, skipped: 3, cancelled: 0, pending: 1 });
  expect(v.skip_reasons).toEqual([
    { code: 'SUPPRESSED', count: 2, message: 'the number is on the suppression list', error_hint: expect.any(String) },
    {
      code: 'OUTSIDE_WINDOW',
      count: 1,
      message: 'no message from the customer in the last 24 hours',
      error_hint: expect.any(String),
    },
  ]);
  expect(v.failure_reasons).toEqual([]);

  // Cancelled: the pending one is cancelled, the skipped ones stay skipped.
  expect((await app.inject({ method: 'POST', url: `/v1/campaigns/${id}/cancel`, headers: auth })).statusCode).toBe(200);
  const cancelled = campaignViewSchema.parse((await get(`/v1/campaigns/${id}`)).json());
  expect(cancelled.counts).toMatchObject({ sent: 1, skipped: 3, cancelled: 1, pending: 0 });
  expect(cancelled.counts.sent + cancelled.counts.skipped + cancelled.counts.cancelled).toBe(5);

  const list = (await get('/v1/campaigns')).json() as { campaigns: Array<{ id: string; counts: object }> };
  expect(list.campaigns.find((c) => c.id === id)?.counts).toMatchObject({ skipped: 3 });
});

test('the report shows skipped rows with their reason, in CSV, JSON and NDJSON', async () => {
  const id = await campaign('upload', 3, [SUPPRESSED, outcome('f', '131026', 'Message undeliverable')]);
  const json = (await get(`/v1/campaigns/${id}/report?format=json`)).json() as unknown[];
  const rows = json.map((r) => reportRowSchema.parse(r));
  expect(rows.map((r) => r.status)).toEqual(['skipped', 'failed', 'pending']);
  expect(rows[0]).toMatchObject({
    status: 'skipped',
    wamid: '',
    error_code: 'SUPPRESSED',
    error_message: 'the number is on the suppression list',
    attempts: 0,
  });
  const ndjson = (await get(`/v1/campaigns/${id}/report?format=ndjson`)).body.trim().split('\n');
  expect(reportRowSchema.parse(JSON.parse(ndjson[0]!))).toEqual(rows[0]);
  const csv = (await get(`/v1/campaigns/${id}/report?format=csv`)).body.split('\r\n');
  expect(csv[1]).toContain(',skipped,,SUPPRESSED,the number is on the suppression list,0,');
});

test('an API message skipped: its view, the list and the summary say so', async () => {
  const before = messageSummarySchema.parse((await get('/v1/messages/summary')).json());
  const id = await campaign('api', 2, [OUTSIDE]);
  const message = messageViewSchema.parse((await get(`/v1/messages/${messageId(id, 0)}`)).json());
  expect(message).toMatchObject({
    status: 'skipped',
    wamid: null,
    error_code: 'OUTSIDE_WINDOW',
    error_message: 'no message from the customer in the last 24 hours',
  });
  const list = messageListSchema.parse((await get('/v1/messages')).json());
  expect(list.messages.filter((m) => m.campaign_id === id).map((m) => m.status)).toEqual(['skipped', 'pending']);
  const after = messageSummarySchema.parse((await get('/v1/messages/summary')).json());
  expect(after.skipped - before.skipped).toBe(1);
  expect(after.accepted - before.accepted).toBe(2);
  expect(after.pending - before.pending).toBe(1);
});
