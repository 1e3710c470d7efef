import { CHUNK_SIZE, messageId, type Store } from '../src';
import { findWamid } from '../src/ledger';
import { chunkJobId } from '../src/queue';
import { createCampaign, failed, openStore, record, retrying, sent, type TestStore } from './helpers';

let env: TestStore;
let store: Store;

beforeAll(async () => {
  env = await openStore();
  store = env.store;
});

afterAll(async () => {
  await env?.close();
});

const view = async (id: string) => {
  const v = await store.campaigns.view(id);
  if (!v) throw new Error(`no campaign ${id}`);
  return v;
};

describe('recording outcomes', () => {
  it('counts the same terminal outcome recorded twice once', async () => {
    const id = await createCampaign(store, 3);
    expect(await record(store, id, 0, sent('wamid.A'))).toMatchObject({ applied: 1, completed: false });
    expect(await record(store, id, 0, sent('wamid.A'))).toMatchObject({ applied: 0, completed: false });
    expect((await view(id)).counts).toMatchObject({ sent: 1, failed: 0, pending: 2 });
  });

  it('never overwrites a terminal outcome with a later one', async () => {
    const id = await createCampaign(store, 3);
    await record(store, id, 1, sent('wamid.B'));
    await record(store, id, 2, failed('131047', 'Re-engagement message'));
    expect((await record(store, id, 1, failed('500', 'late failure'))).applied).toBe(0);
    expect((await record(store, id, 2, sent('wamid.C'))).applied).toBe(0);
    expect((await record(store, id, 2, retrying('HTTP_503'))).applied).toBe(0);

    const loaded = await store.ledger.loadChunk(id, 0);
    expect(loaded?.outcomes.get(1)).toMatchObject({ kind: 's', wamid: 'wamid.B' });
    expect(loaded?.outcomes.get(2)).toMatchObject({ kind: 'f', code: '131047' });
    const v = await view(id);
    expect(v.counts).toMatchObject({ sent: 1, failed: 1, pending: 1 });
    expect(v.failure_reasons).toEqual([
      { code: '131047', count: 1, message: 'Re-engagement message', error_hint: expect.stringContaining('24 hours') },
    ]);
  });

  it('lets a retrying outcome be replaced, counting only the terminal one', async () => {
    const id = await createCampaign(store, 2);
    expect((await record(store, id, 0, retrying('HTTP_503'))).applied).toBe(1);
    expect((await record(store, id, 0, retrying('TIMEOUT'))).applied).toBe(1);
    expect((await store.ledger.loadChunk(id, 0))?.outcomes.get(0)).toMatchObject({
      kind: 'r',
      code: 'TIMEOUT',
    });
    expect((await view(id)).counts).toMatchObject({ sent: 0, failed: 0, pending: 2 });

    expect((await record(store, id, 0, sent('wamid.R'))).applied).toBe(1);
    expect((await view(id)).counts).toMatchObject({ sent: 1, failed: 0, pending: 1 });
  });

  it('counts failures by code with the last message seen, most frequent first', async () => {
    const id = await createCampaign(store, 6);
    const ledger = store.ledger;
    await ledger.record(id, 0, CHUNK_SIZE, [
      { offset: 0, outcome: failed('131047', 'Re-engagement message') },
      { offset: 1, outcome: failed('400', 'customer_number must have 8 to 15 digits') },
      { offset: 2, outcome: failed('131047', 'Re-engagement | outside the window') },
      { offset: 3, outcome: sent('wamid.S3') },
      { offset: 4, outcome: failed('131047', 'Re-engagement | outside the window') },
    ]);
    const v = await view(id);
    expect(v.counts).toMatchObject({ total: 6, sent: 1, failed: 4, pending: 1 });
    expect(v.failure_reasons).toEqual([
      expect.objectContaining({ code: '131047', count: 3, message: 'Re-engagement | outside the window' }),
      expect.objectContaining({ code: '400', count: 1, message: 'customer_number must have 8 to 15 digits' }),
    ]);
  });

  it('indexes a sent outcome by its wamid for the delivery webhook', async () => {
    const id = await createCampaign(store, 250);
    await record(store, id, 201, sent('wamid.INDEXED-201'));
    expect(await findWamid(env.ctx, 'wamid.INDEXED-201')).toBe(messageId(id, 201));
    expect(await findWamid(env.ctx, 'wamid.NEVER-SEEN')).toBeUndefined();
  });
});

describe('campaign status driven by outcomes', () => {
  it('moves queued → running on the first outcome and → completed exactly when sent + failed = accepted', async () => {
    const id = await createCampaign(store, 3);
    expect((await view(id)).status).toBe('queued');

    await record(store, id, 0, retrying('HTTP_503'));
    const running = await view(id);
    expect(running.status).toBe('running');
    expect(running.started_at).not.toBeNull();

    await record(store, id, 0, sent('wamid.1'));
    expect(await record(store, id, 1, failed('131047', 'Re-engagement message'))).toMatchObject({
      applied: 1,
      completed: false,
    });
    await record(store, id, 2, retrying('TIMEOUT'));
    expect((await view(id)).status).toBe('running');

    expect(await record(store, id, 2, sent('wamid.3'))).toMatchObject({ applied: 1, completed: true });
    const done = await view(id);
    expect(done.status).toBe('completed');
    expect(done.completed_at).not.toBeNull();
    expect(done.counts).toMatchObject({ total: 3, sent: 2, failed: 1, pending: 0 });

    // Only the call that finished it says so.
    expect(await record(store, id, 2, sent('wamid.3'))).toMatchObject({ applied: 0, completed: false });
  });

  it('completes a campaign whose chunks finish in any order', async () => {
    const id = await createCampaign(store, 450);
    const ledger = store.ledger;
    const all = (size: number) =>
      Array.from({ length: size }, (_, offset) => ({ offset, outcome: sent(`wamid.${offset}`) }));
    expect((await ledger.record(id, 2, CHUNK_SIZE, all(50))).completed).toBe(false);
    expect((await ledger.record(id, 0, CHUNK_SIZE, all(200))).completed).toBe(false);
    expect((await ledger.record(id, 1, CHUNK_SIZE, all(200))).completed).toBe(true);
    expect((await view(id)).counts).toMatchObject({ total: 450, sent: 450, pending: 0 });
  });

  it('keeps a cancelled campaign cancelled when its last outcomes arrive', async () => {
    const id = await createCampaign(store, 2);
    const control = store.control;
    await record(store, id, 0, sent('wamid.X'));
    await control.cancel(id);
    const cancelledAt = (await view(id)).completed_at;
    expect(cancelledAt).not.toBeNull();
    // A request in flight at the cancel still counts as sent.
    expect(await record(store, id, 1, sent('wamid.Y'))).toMatchObject({ applied: 1, completed: false });
    const v = await view(id);
    expect(v.status).toBe('cancelled');
    expect(v.completed_at).toBe(cancelledAt);
    expect(v.counts).toMatchObject({ sent: 2, cancelled: 0, pending: 0 });
  });
});

describe('retry-failed', () => {
  it('puts failed recipients back to pending across chunks and fixes the counters', async () => {
    const id = await createCampaign(store, 250);
    const ledger = store.ledger;
    const chunk0 = Array.from({ length: 200 }, (_, offset) => ({
      offset,
      outcome:
        offset % 50 === 7
          ? failed('131047', 'Re-engagement message')
          : offset === 9
            ? failed('400', 'bad media')
            : sent(`wamid.0-${offset}`),
    }));
    const chunk1 = Array.from({ length: 50 }, (_, offset) => ({
      offset,
      outcome: offset === 3 ? failed('131047', 'Re-engagement message') : sent(`wamid.1-${offset}`),
    }));
    await ledger.record(id, 0, CHUNK_SIZE, chunk0);
    expect((await ledger.record(id, 1, CHUNK_SIZE, chunk1)).completed).toBe(true);
    const before = await view(id);
    expect(before.counts).toMatchObject({ sent: 244, failed: 6 });
    expect(before.failure_reasons).toEqual([
      { code: '131047', count: 5, message: 'Re-engagement message', error_hint: expect.any(String) },
      { code: '400', count: 1, message: 'bad media', error_hint: expect.any(String) },
    ]);

    const control = store.control;
    expect(await control.retryFailed(id)).toEqual({
      status: 'running',
      reset: 6,
      retry: {
        retried: 6,
        left: {},
        byCode: { '131047': { retried: 5, left: 0 }, '400': { retried: 1, left: 0 } },
      },
    });

    const after = await view(id);
    expect(after.status).toBe('running');
    expect(after.completed_at).toBeNull();
    expect(after.counts).toMatchObject({ total: 250, sent: 244, failed: 0, pending: 6 });
    expect(after.failure_reasons).toEqual([]);
    const reloaded = await ledger.loadChunk(id, 0);
    // Pending again, keeping the requests already spent (the report's attempts goes on counting).
    expect(reloaded?.outcomes.get(7)).toMatchObject({ kind: 'r', attempts: 1, rounds: 0, code: '' });
    expect(reloaded?.outcomes.get(8)).toMatchObject({ kind: 's' });
    // The touched chunks are queued again under a new generation's job ids.
    expect(await store.queue.lane('bulk').getJob(chunkJobId(id, 0, 1))).toBeDefined();
    expect(await store.queue.lane('bulk').getJob(chunkJobId(id, 1, 1))).toBeDefined();

    // Sending them completes the campaign again.
    await ledger.record(
      id,
      0,
      CHUNK_SIZE,
      [7, 9, 57, 107, 157].map((offset) => ({ offset, outcome: sent(`wamid.retry-${offset}`) })),
    );
    expect(await record(store, id, 203, failed('131047', 'still outside'))).toMatchObject({
      applied: 1,
      completed: true,
    });
    const redone = await view(id);
    expect(redone.status).toBe('completed');
    expect(redone.counts).toMatchObject({ sent: 249, failed: 1, pending: 0 });
    expect(redone.failure_reasons).toEqual([
      { code: '131047', count: 1, message: 'still outside', error_hint: expect.any(String) },
    ]);
  });

  it('leaves the failures `leave` names, counting what it took and left; the counters stay exact', async () => {
    const id = await createCampaign(store, 8);
    const codes = ['HTTP_503', '131026', 'NO_WAMID', 'TIMEOUT', '131047', '131026', '131049', 'HTTP_503'];
    await store.ledger.record(
      id,
      0,
      CHUNK_SIZE,
      codes.map((code, offset) => ({ offset, outcome: failed(code, `m ${code}`) })),
    );
    const leave = (code: string) =>
      code === 'NO_WAMID' ? 'no_wamid' : /^13102|^131047/.test(code) ? 'permanent' : undefined;
    const result = await store.control.retryFailed(id, { leave });
    expect(result).toEqual({
      status: 'running',
      reset: 3,
      retry: {
        retried: 3,
        // The 131049 failed just now: left for 24 h whatever `leave` says.
        left: { permanent: 3, no_wamid: 1, marketing_limit: 1 },
        byCode: {
          HTTP_503: { retried: 2, left: 0 },
          TIMEOUT: { retried: 1, left: 0 },
          '131026': { retried: 0, left: 2, reason: 'permanent' },
          '131047': { retried: 0, left: 1, reason: 'permanent' },
          NO_WAMID: { retried: 0, left: 1, reason: 'no_wamid' },
          '131049': { retried: 0, left: 1, reason: 'marketing_limit' },
        },
      },
    });
    const v = await view(id);
    expect(v.counts).toMatchObject({ total: 8, failed: 5, pending: 3 });
    expect(Object.fromEntries(v.failure_reasons.map((r) => [r.code, r.count]))).toEqual({
      '131026': 2,
      '131047': 1,
      NO_WAMID: 1,
      '131049': 1,
    });
    const outcomes = (await store.ledger.loadChunk(id, 0))?.outcomes;
    expect([0, 3, 7].map((i) => outcomes?.get(i)?.kind)).toEqual(['r', 'r', 'r']);
    expect([1, 2, 4, 5, 6].map((i) => outcomes?.get(i)?.kind)).toEqual(['f', 'f', 'f', 'f', 'f']);

    // Without `leave`, the rest go (but the fresh 131049).
    expect((await store.control.retryFailed(id)).retry).toMatchObject({
      retried: 4,
      left: { marketing_limit: 1 },
    });
    expect((await view(id)).counts).toMatchObject({ failed: 1, pending: 7 });
  });

  it('resets nothing and keeps the status when nothing failed', async () => {
    const id = await createCampaign(store, 1);
    await record(store, id, 0, sent('wamid.ok'));
    expect(await store.control.retryFailed(id)).toEqual({
      status: 'completed',
      reset: 0,
      retry: { retried: 0, left: {}, byCode: {} },
    });
  });
});
