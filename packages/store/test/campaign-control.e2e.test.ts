import { InvalidStateError, NotFoundError, newCampaignId, type CampaignControl, type Store } from '../src';
import { waitFor } from '@sobot/devkit';
import {
  DEFAULTS,
  createCampaign,
  enqueuedChunks,
  failed,
  openStore,
  record,
  recipient,
  sent,
  type TestStore,
} from './helpers';

let env: TestStore;
let store: Store;
let control: CampaignControl;

beforeAll(async () => {
  env = await openStore();
  store = env.store;
  control = store.control;
});

afterAll(async () => {
  await env?.close();
});

const status = async (id: string) => (await store.campaigns.view(id))?.status;

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('campaign status transitions', () => {
  it('pauses a running campaign and resumes it to running', async () => {
    const id = await createCampaign(store, 2);
    await record(store, id, 0, sent('wamid.1'));
    expect(await status(id)).toBe('running');

    expect(await control.pause(id)).toEqual({ status: 'paused' });
    expect(await status(id)).toBe('paused');
    // Pausing twice is not an error.
    expect(await control.pause(id)).toEqual({ status: 'paused' });

    expect(await control.resume(id)).toEqual({ status: 'running' });
    expect(await status(id)).toBe('running');
  });

  it('resumes a campaign paused before it started to queued', async () => {
    const id = await createCampaign(store, 2);
    await control.pause(id);
    expect(await control.resume(id)).toEqual({ status: 'queued' });
  });

  it('refuses to resume a completed campaign with InvalidStateError', async () => {
    const id = await createCampaign(store, 1);
    await record(store, id, 0, sent('wamid.done'));
    expect(await status(id)).toBe('completed');

    const err = await rejection(control.resume(id));
    expect(err).toBeInstanceOf(InvalidStateError);
    expect(err).toMatchObject({ code: 'INVALID_STATE', current: 'completed' });
    expect(await status(id)).toBe('completed');
  });

  it('refuses to pause a completed campaign and to resume or retry a cancelled one', async () => {
    const done = await createCampaign(store, 1);
    await record(store, done, 0, failed('131047', 'Re-engagement message'));
    await expect(control.pause(done)).rejects.toBeInstanceOf(InvalidStateError);

    const cancelled = await createCampaign(store, 2);
    expect(await control.cancel(cancelled)).toEqual({ status: 'cancelled', settled: true });
    await expect(control.resume(cancelled)).rejects.toMatchObject({ code: 'INVALID_STATE', current: 'cancelled' });
    await expect(control.retryFailed(cancelled)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(control.cancel(done)).rejects.toMatchObject({ current: 'completed' });
  });

  it('answers NotFoundError for an unknown campaign id', async () => {
    const unknown = newCampaignId();
    for (const op of [
      control.pause(unknown),
      control.resume(unknown),
      control.cancel(unknown),
      control.retryFailed(unknown),
    ]) {
      const err = await rejection(op);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ code: 'NOT_FOUND' });
    }
    // Nothing was created on the way.
    expect(await store.campaigns.view(unknown)).toBeUndefined();
  });

  it('counts the recipients not sent at the cancel as cancelled', async () => {
    const id = await createCampaign(store, 5);
    await record(store, id, 0, sent('wamid.c0'));
    await record(store, id, 1, failed('400', 'bad media'));
    await control.cancel(id);
    const v = await store.campaigns.view(id);
    expect(v?.counts).toMatchObject({ total: 5, sent: 1, failed: 1, cancelled: 3, pending: 0 });
  });

  it('shows running campaigns as paused during a system pause, and resume lifts it', async () => {
    const id = await createCampaign(store, 2);
    await record(store, id, 0, sent('wamid.sp'));
    await store.system.pause('401', 'Sobot rejected the API key', 30_000);
    const v = await store.campaigns.view(id);
    expect(v).toMatchObject({ status: 'paused', paused_reason: 'Sobot rejected the API key' });

    expect(await control.resume(id)).toEqual({ status: 'running' });
    expect(await store.system.current()).toBeNull();
    expect(await status(id)).toBe('running');
  });
});

describe('canary', () => {
  async function canaryCampaign(
    count: number,
    size: number,
    maxFailureRatio: number,
  ): Promise<{ id: string; now: number[] }> {
    const writer = store.newCampaign(DEFAULTS);
    const id = writer.campaignId;
    for (let i = 0; i < count; i += 1) await writer.add(recipient(i));
    await writer.commit({
      name: 'canary',
      source: 'upload',
      defaults: DEFAULTS,
      total: count,
      rejected: 0,
      duplicates: 0,
      canary: { size, maxFailureRatio },
    });
    // The chunks sent now: the canary's; the others are held back.
    return { id, now: await enqueuedChunks(store, id) };
  }

  it('holds back the chunks after the canary and pauses the campaign when too many canary messages fail', async () => {
    const { id, now } = await canaryCampaign(450, 200, 0.2);
    expect(now).toEqual([0]);
    // One in four fails: the canary's limit (20%) is passed, the campaign breaker's (half) is not.
    for (let i = 0; i < 199; i += 1)
      await record(store, id, i, i % 4 === 0 ? failed('131047', 'Re-engagement message') : sent(`wamid.${i}`));
    expect(await status(id)).toBe('running');
    await record(store, id, 199, sent('wamid.199'));
    const v = await store.campaigns.view(id);
    expect(v?.status).toBe('paused');
    expect(v?.paused_reason).toMatch(/canary failed: 50 of the first 200/);
    // The held chunks go out only when an operator resumes the campaign.
    expect(await enqueuedChunks(store, id)).toEqual([0]);
    expect(await control.resume(id)).toEqual({ status: 'running' });
    expect(await enqueuedChunks(store, id)).toEqual([0, 1, 2]);
  });

  // BUG (record-outcomes-5.lua): when the canary covers the whole campaign (canary_n is clamped to
  // `accepted`), the call that records the last outcome first marks the campaign completed, then, still
  // holding the stale local `status = 'running'`, fails the canary and overwrites it with 'paused' —
  // a campaign with no recipient left pending is shown paused (with completed_at set), and a resume
  // moves it to 'running' for ever since no further outcome can complete it.
  test('a campaign finished inside its canary is completed, not paused', async () => {
    const { id } = await canaryCampaign(3, 100, 0.2);
    await record(store, id, 0, failed('131047', 'Re-engagement message'));
    await record(store, id, 1, failed('131047', 'Re-engagement message'));
    const last = await record(store, id, 2, sent('wamid.last'));
    expect(last.completed).toBe(true);
    const v = await store.campaigns.view(id);
    expect(v?.counts).toMatchObject({ sent: 1, failed: 2, pending: 0 });
    expect(v?.status).toBe('completed');
  });
});

describe('cancel counts once the stop has taken effect', () => {
  test('waits for a chunk being sent to record its requests in flight: they count as sent, not cancelled', async () => {
    const id = await createCampaign(store, 3);
    expect(await store.ledger.lease(id, 0, 'job-1', 10_000)).toBe(true);
    let answered = false;
    const cancelling = control.cancel(id).then((r) => {
      answered = true;
      return r;
    });
    // The worker's request in flight lands after the cancel was asked for, then the worker lets the chunk go.
    await waitFor(async () => (await status(id)) === 'cancelled', { timeoutMs: 5_000, what: 'the cancel mark' });
    expect(answered).toBe(false);
    await record(store, id, 0, sent('wamid.inflight'));
    await store.ledger.releaseLease(id, 0, 'job-1');
    expect(await cancelling).toEqual({ status: 'cancelled', settled: true });
    expect((await store.campaigns.view(id))?.counts).toMatchObject({ sent: 1, cancelled: 2 });
  });

  test('a lease that is never released (a stuck worker) holds the answer no longer than the bound', async () => {
    const id = await createCampaign(store, 2);
    expect(await store.ledger.lease(id, 0, 'job-stuck', 60_000)).toBe(true);
    expect(await control.cancel(id, 300)).toEqual({ status: 'cancelled', settled: false });
  });
});
