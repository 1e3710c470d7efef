import { LIMIT_FRESH_MS, limitState } from '../src';
import { createCampaign, useTestStore } from './helpers';

const env = useTestStore();

describe('send limits (limited_by)', () => {
  it('names the reason noted last, for LIMIT_FRESH_MS', async () => {
    const limits = env.open({ prefix: `${env.prefix}a` }).limits;
    const t = 1_700_000_000_000;
    await limits.noteLimit('in_flight_limit', t);
    await limits.noteLimit('upstream_throttle', t + 100);
    expect((await limits.read(t + 200)).limitedBy).toBe('upstream_throttle');
    expect((await limits.read(t + 200)).recent).toEqual({ in_flight_limit: t, upstream_throttle: t + 100 });
    expect((await limits.read(t + 100 + LIMIT_FRESH_MS)).limitedBy).toBe('upstream_throttle');
    expect((await limits.read(t + 101 + LIMIT_FRESH_MS)).limitedBy).toBeNull();
  });

  it('writes one reason at most once a second per process', async () => {
    const prefix = `${env.prefix}b`;
    const limits = env.open({ prefix }).limits;
    const t = 1_700_000_000_000;
    await limits.noteLimit('quiet_hours', t);
    await limits.noteLimit('quiet_hours', t + 999);
    expect((await limits.read(t + 999)).recent.quiet_hours).toBe(t);
    await limits.noteLimit('quiet_hours', t + 1000);
    expect((await limits.read(t + 1000)).recent.quiet_hours).toBe(t + 1000);
  });

  it("keeps each worker's in-flight figures until it stops or goes quiet for a minute", async () => {
    const limits = env.open({ prefix: `${env.prefix}c` }).limits;
    const t = Date.now();
    await limits.reportWorker({ worker: 'h:1', limit: 600, inUse: 590, max: 1000, at: t });
    await limits.reportWorker({ worker: 'h:2', limit: 8, inUse: 0, max: 1000, at: t - 61_000 });
    await limits.reportWorker({ worker: 'h:3', limit: 50, inUse: 3, max: 50, at: t });
    expect((await limits.read(t)).workers).toEqual([
      { worker: 'h:1', limit: 600, inUse: 590, max: 1000, at: t },
      { worker: 'h:3', limit: 50, inUse: 3, max: 50, at: t },
    ]);
    await limits.forgetWorker('h:3');
    const after = limitState(await env.ctx.redis.hgetall(`${env.prefix}c:limits`), t);
    expect(after.workers.map((w) => w.worker)).toEqual(['h:1']);
  });

  it('ignores fields it does not know', () => {
    const state = limitState({ bogus: '1', in_flight_limit: 'x', pair_rate: '100' }, 200);
    expect(state).toEqual({ limitedBy: 'pair_rate', recent: { pair_rate: 100 }, workers: [] });
  });
});

describe('limited_by and rate in the campaign view', () => {
  it('shows a fresh note while the campaign sends; none and rate 0 once paused', async () => {
    const store = env.store;
    const id = await createCampaign(store, 10);
    expect((await store.campaigns.view(id))!.limited_by).toBeNull();
    await store.limits.noteLimit('in_flight_limit');
    expect((await store.campaigns.view(id))!.limited_by).toBe('in_flight_limit');
    // Outcomes recorded over the last seconds give a rate...
    const nowS = Math.floor(Date.now() / 1000);
    await env.ctx.redis.hset(env.ctx.keys.perSecond(id), String(nowS - 2), '5', String(nowS - 1), '5');
    expect((await store.campaigns.view(id))!.rate).toBeGreaterThan(0);
    // ...that a paused campaign does not show.
    await store.control.pause(id);
    expect(await store.campaigns.view(id)).toMatchObject({ status: 'paused', rate: 0, limited_by: null });
  });
});
