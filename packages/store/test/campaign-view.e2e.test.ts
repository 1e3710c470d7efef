import type { ReportRow } from '@sobot/schema';
import { CHUNK_SIZE, messageId, newCampaignId, type Store } from '../src';
import { createCampaign, failed, openStore, recipient, retrying, sent, type TestStore } from './helpers';

let env: TestStore;
let store: Store;

beforeAll(async () => {
  env = await openStore();
  store = env.store;
});

afterAll(async () => {
  await env?.close();
});

async function report(id: string): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for await (const row of store.campaigns.report(id)) rows.push(row);
  return rows;
}

describe('report', () => {
  it('lists every recipient in upload order with its status, across chunks', async () => {
    const id = await createCampaign(store, 430);
    const ledger = store.ledger;
    // Chunk 2 is recorded before chunk 0; chunk 1 only has a retrying outcome.
    await ledger.record(id, 2, CHUNK_SIZE, [
      { offset: 29, outcome: sent('wamid.429', 1_700_000_001_000) },
      { offset: 0, outcome: failed('131047', 'Re-engagement | 24h', 1_700_000_002_000) },
    ]);
    await ledger.record(id, 0, CHUNK_SIZE, [{ offset: 5, outcome: sent('wamid.5', 1_700_000_003_000) }]);
    await ledger.record(id, 1, CHUNK_SIZE, [{ offset: 7, outcome: retrying('HTTP_503') }]);

    const rows = await report(id);
    expect(rows).toHaveLength(430);
    expect(rows.map((r) => r.customer_number)).toEqual(
      Array.from({ length: 430 }, (_, i) => recipient(i).customer_number),
    );
    expect(rows.map((r) => r.customer_name)).toEqual(Array.from({ length: 430 }, (_, i) => `Customer ${i}`));

    const byStatus = (s: string) => rows.flatMap((r, i) => (r.status === s ? [i] : []));
    expect(byStatus('sent')).toEqual([5, 429]);
    expect(byStatus('failed')).toEqual([400]);
    expect(byStatus('pending')).toHaveLength(427);

    expect(rows[5]).toMatchObject({
      status: 'sent',
      wamid: 'wamid.5',
      delivery_status: 'sent',
      error_code: '',
      updated_at: new Date(1_700_000_003_000).toISOString(),
    });
    expect(rows[400]).toMatchObject({
      status: 'failed',
      wamid: '',
      error_code: '131047',
      error_message: 'Re-engagement | 24h',
      attempts: 1,
    });
    // A retrying recipient is still pending, its attempts shown.
    expect(rows[207]).toMatchObject({ status: 'pending', attempts: 3 });
    expect(rows[0]).toMatchObject({
      status: 'pending',
      wamid: '',
      error_code: '',
      attempts: 0,
      updated_at: '',
      delivery_status: '',
    });
  });

  it('is empty for an unknown campaign', async () => {
    expect(await report(newCampaignId())).toEqual([]);
  });
});

describe('message view', () => {
  it('shows one recipient by message id, wherever its chunk', async () => {
    const id = await createCampaign(store, 250);
    const ledger = store.ledger;
    await ledger.record(id, 1, CHUNK_SIZE, [
      { offset: 1, outcome: sent('wamid.MV-201') },
      { offset: 2, outcome: failed('131026', 'Message undeliverable') },
    ]);
    const reader = store.campaigns;

    expect(await reader.message(messageId(id, 201))).toMatchObject({
      id: `${id}-201`,
      campaign_id: id,
      customer_number: recipient(201).customer_number,
      status: 'sent',
      wamid: 'wamid.MV-201',
      delivery_status: 'sent',
      error_code: null,
      error_message: null,
      attempts: 1,
    });
    expect(await reader.message(messageId(id, 202))).toMatchObject({
      status: 'failed',
      wamid: null,
      error_code: '131026',
      error_message: 'Message undeliverable',
    });
    expect(await reader.message(messageId(id, 0))).toMatchObject({
      status: 'pending',
      wamid: null,
      updated_at: null,
      attempts: 0,
    });

    expect(await store.deliveries.record({ wamid: 'wamid.MV-201', status: 'read', at: Date.now() })).toBe('applied');
    expect(await reader.message(messageId(id, 201))).toMatchObject({ status: 'sent', delivery_status: 'read' });
  });

  it('is undefined past the last recipient, for an unknown campaign and for a malformed id', async () => {
    const id = await createCampaign(store, 3);
    const reader = store.campaigns;
    expect(await reader.message(messageId(id, 3))).toBeUndefined();
    expect(await reader.message(messageId(newCampaignId(), 0))).toBeUndefined();
    expect(await reader.message(`${id}-x`)).toBeUndefined();
    expect(await reader.message('not-an-id')).toBeUndefined();
  });
});

describe('quiet hours in the view', () => {
  it('sums the per-chunk waiting tally (within pending) and takes the earliest time', async () => {
    const id = await createCampaign(store, 430);
    const soon = Date.now() + 120_000;
    await store.ledger.setWaiting(id, 0, 150, soon + 60_000);
    await store.ledger.setWaiting(id, 2, 30, soon);
    let v = (await store.campaigns.view(id))!;
    expect(v.counts).toMatchObject({ pending: 430, waiting: 180 });
    expect(v.waiting_until).toBe(new Date(soon).toISOString());
    // Nothing sent yet and not everyone waits: no rate, no ETA.
    expect(v.eta_seconds).toBeNull();

    // A chunk whose recipients went out clears its tally.
    await store.ledger.setWaiting(id, 0, 0, 0);
    v = (await store.campaigns.view(id))!;
    expect(v.counts.waiting).toBe(30);

    await store.control.cancel(id);
    v = (await store.campaigns.view(id))!;
    expect(v.counts.waiting).toBe(0);
    expect(v.waiting_until).toBeNull();
  });

  it('with everyone waiting and nothing sent, the ETA is the time until the first may go', async () => {
    const id = await createCampaign(store, 3);
    const at = Date.now() + 90_000;
    await store.ledger.setWaiting(id, 0, 3, at);
    const v = (await store.campaigns.view(id))!;
    expect(v.status).toBe('queued');
    expect(v.eta_seconds).toBeGreaterThanOrEqual(89);
    expect(v.eta_seconds).toBeLessThanOrEqual(90);
  });
});
