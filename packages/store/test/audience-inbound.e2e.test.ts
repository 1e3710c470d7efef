/**
 * Opt-outs that hold (SPEC §21) at the store: inbound events applied once and in their own time order per
 * number, a customer's START lifting only what a keyword or the upstream put there, suppression sources kept,
 * and imports staged until committed. Real Redis.
 */
import { INBOUND_HORIZON_MS } from '../src';
import { openStore, type TestStore } from './helpers';

let env: TestStore;

beforeAll(async () => {
  env = await openStore();
});

afterAll(async () => {
  await env?.close();
});

const MIN = 60_000;
const DAY = 86_400_000;
const REASON = 'opt-out keyword';
let series = 0;
/** A fresh number (distinct per call). */
const fresh = (): string => `6581${String((series += 1)).padStart(4, '0')}`;

describe('inbound events (applyInbound)', () => {
  test('STOP suppresses with source keyword at the event time; START lifts it', async () => {
    const a = env.store.audience;
    const n = fresh();
    const now = Date.now();
    expect(await a.applyInbound([{ number: n, atMs: now - 10 * MIN, action: 'opt-out' }], REASON, { now })).toEqual([
      'suppressed',
    ]);
    expect(await a.suppression(n)).toEqual({
      number: n,
      reason: REASON,
      source: 'keyword',
      at: Math.floor((now - 10 * MIN) / 1000) * 1000,
    });
    expect(await a.suppressedCount()).toBe(1);
    expect(await a.applyInbound([{ number: n, atMs: now - MIN, action: 'opt-in' }], REASON, { now })).toEqual([
      'lifted',
    ]);
    expect(await a.suppression(n)).toBeUndefined();
    expect(await a.suppressedCount()).toBe(0);
    expect((await a.lookup([n]))[0]).toBe(0);
  });

  test('the same message id is applied once, whatever came in between', async () => {
    const a = env.store.audience;
    const n = fresh();
    const now = Date.now();
    const start = { number: n, id: 'wamid.START-1', atMs: now - 20 * MIN, action: 'opt-in' as const };
    expect(
      await a.applyInbound([{ number: n, id: 'wamid.STOP-1', atMs: now - 30 * MIN, action: 'opt-out' }], REASON, {
        now,
      }),
    ).toEqual(['suppressed']);
    expect(await a.applyInbound([start], REASON, { now })).toEqual(['lifted']);
    // A newer STOP, then the START replayed (same id): still suppressed.
    expect(
      await a.applyInbound([{ number: n, id: 'wamid.STOP-2', atMs: now - 10 * MIN, action: 'opt-out' }], REASON, {
        now,
      }),
    ).toEqual(['suppressed']);
    expect(await a.applyInbound([start], REASON, { now })).toEqual(['duplicate']);
    // The same START again without its id is older than the latest STOP: out of order.
    expect(await a.applyInbound([{ ...start, id: undefined }], REASON, { now })).toEqual(['out-of-order']);
    expect(await a.suppression(n)).toMatchObject({ source: 'keyword' });
    // Two copies in one body: the second is the duplicate.
    const m = fresh();
    const stop = { number: m, id: 'wamid.twice', atMs: now - MIN, action: 'opt-out' as const };
    expect(await a.applyInbound([stop, stop], REASON, { now })).toEqual(['suppressed', 'duplicate']);
    await a.unsuppress([n, m]);
  });

  test('a START older than the latest STOP changes nothing, nor does a STOP older than the latest START', async () => {
    const a = env.store.audience;
    const [n, m] = [fresh(), fresh()];
    const now = Date.now();
    await a.applyInbound([{ number: n, atMs: now - MIN, action: 'opt-out' }], REASON, { now });
    expect(await a.applyInbound([{ number: n, atMs: now - 5 * MIN, action: 'opt-in' }], REASON, { now })).toEqual([
      'out-of-order',
    ]);
    expect(await a.suppression(n)).toBeDefined();

    expect(await a.applyInbound([{ number: m, atMs: now - MIN, action: 'opt-in' }], REASON, { now })).toEqual([
      'not-suppressed',
    ]);
    expect(await a.applyInbound([{ number: m, atMs: now - 5 * MIN, action: 'opt-out' }], REASON, { now })).toEqual([
      'out-of-order',
    ]);
    expect(await a.suppression(m)).toBeUndefined();
    // In one body, the order in time decides, not the order in the body.
    const k = fresh();
    expect(
      await a.applyInbound(
        [
          { number: k, atMs: now - MIN, action: 'opt-out' },
          { number: k, atMs: now - 2 * MIN, action: 'opt-in' },
        ],
        REASON,
        { now },
      ),
    ).toEqual(['suppressed', 'not-suppressed']);
    expect(await a.suppression(k)).toBeDefined();
    await a.unsuppress([n, k]);
  });

  test('an event older than the horizon changes nothing; one from the future counts as now', async () => {
    const a = env.store.audience;
    const [n, m] = [fresh(), fresh()];
    const now = Date.now();
    await a.applyInbound([{ number: n, atMs: now - MIN, action: 'opt-out' }], REASON, { now });
    const old = now - 30 * DAY;
    expect(await a.applyInbound([{ number: n, atMs: old, action: 'opt-in' }], REASON, { now })).toEqual(['too-old']);
    expect(
      await a.applyInbound([{ number: m, atMs: now - INBOUND_HORIZON_MS - MIN, action: 'opt-out' }], REASON, { now }),
    ).toEqual(['too-old']);
    expect(await a.suppression(n)).toBeDefined();
    expect(await a.suppression(m)).toBeUndefined();
    // A horizon the caller shrinks (policy value): an hour-old START is then too old.
    expect(
      await a.applyInbound([{ number: n, atMs: now - 2 * 3_600_000, action: 'opt-in' }], REASON, {
        now,
        horizonMs: 3_600_000,
      }),
    ).toEqual(['too-old']);
    // A STOP dated next year counts as now: a later START still lifts it.
    const k = fresh();
    await a.applyInbound([{ number: k, atMs: now + 365 * DAY, action: 'opt-out' }], REASON, { now });
    expect(
      await a.applyInbound([{ number: k, atMs: now + MIN, action: 'opt-in' }], REASON, { now: now + MIN }),
    ).toEqual(['lifted']);
    await a.unsuppress([n]);
  });

  test("a customer's START lifts keyword and upstream suppressions only; operator and import stay", async () => {
    const a = env.store.audience;
    const [op, imp, up, upLater] = [fresh(), fresh(), fresh(), fresh()];
    const now = Date.now();
    await a.suppress([op], 'legal hold', now - 10 * MIN, 'operator');
    await a.suppress([imp], 'list', now - 10 * MIN, 'import');
    await a.suppress([up], '131050', now - 10 * MIN, 'upstream');
    await a.suppress([upLater], '131050', now - MIN, 'upstream');
    const starts = [op, imp, up, upLater].map((number) => ({ number, atMs: now - 5 * MIN, action: 'opt-in' as const }));
    expect(await a.applyInbound(starts, REASON, { now })).toEqual(['kept', 'kept', 'lifted', 'kept']);
    expect(await a.suppression(op)).toMatchObject({ source: 'operator', reason: 'legal hold' });
    expect(await a.suppression(imp)).toMatchObject({ source: 'import' });
    expect(await a.suppression(up)).toBeUndefined();
    expect(await a.suppression(upLater)).toMatchObject({ source: 'upstream' });
    // A STOP on an operator's suppression keeps the operator's reason and source.
    expect(await a.applyInbound([{ number: op, atMs: now - MIN, action: 'opt-out' }], REASON, { now })).toEqual([
      'already-suppressed',
    ]);
    expect(await a.suppression(op)).toMatchObject({ source: 'operator' });
    await a.unsuppress([op, imp, upLater]);
  });

  test("an operator's or an import's suppression replaces a keyword or upstream one; not the other way", async () => {
    const a = env.store.audience;
    const [kw, up, op] = [fresh(), fresh(), fresh()];
    const now = Date.now();
    await a.applyInbound([{ number: kw, atMs: now - 10 * MIN, action: 'opt-out' }], REASON, { now });
    await a.suppress([up], '131050', now - 10 * MIN, 'upstream');
    await a.suppress([op], 'legal hold', now - 10 * MIN, 'operator');
    const count = await a.suppressedCount();
    expect(await a.suppress([kw], 'legal hold', now - 5 * MIN, 'operator')).toBe(0);
    expect(await a.suppress([up], 'list', now - 5 * MIN, 'import')).toBe(0);
    expect(await a.suppress([op], '131050', now - 5 * MIN, 'upstream')).toBe(0);
    expect(await a.suppressedCount()).toBe(count);
    expect(await a.suppression(kw)).toMatchObject({ source: 'operator', reason: 'legal hold' });
    expect(await a.suppression(up)).toMatchObject({ source: 'import', reason: 'list' });
    expect(await a.suppression(op)).toMatchObject({ source: 'operator', reason: 'legal hold' });
    const starts = [kw, up, op].map((number) => ({ number, atMs: now - MIN, action: 'opt-in' as const }));
    expect(await a.applyInbound(starts, REASON, { now })).toEqual(['kept', 'kept', 'kept']);
    await a.unsuppress([kw, up, op]);
  });

  test('a suppression stored before sources existed reads as the operator’s', async () => {
    const a = env.store.audience;
    const n = '6591234567';
    const at = Math.floor(Date.now() / 1000);
    // The old value: unix second × 1024 + reason id (0: none).
    const key = env.ctx.keys.audience('s', 7, 3456);
    await env.ctx.redis.hset(key, '65912', String(at * 1024));
    expect(await a.suppression(n)).toEqual({ number: n, reason: null, at: at * 1000, source: 'operator' });
    expect(await a.applyInbound([{ number: n, atMs: Date.now(), action: 'opt-in' }], REASON)).toEqual(['kept']);
    await env.ctx.redis.del(key);
  });
});

describe('suppression imports (stage, commit, drop)', () => {
  test('staged numbers are not suppressed until committed; a dropped stage adds nothing', async () => {
    const a = env.store.audience;
    const numbers = Array.from({ length: 12 }, fresh);
    await a.stageImport('imp-1', numbers.slice(0, 6));
    await a.stageImport('imp-1', numbers.slice(6));
    expect(await a.lookup(numbers)).toEqual(new Uint8Array(12));
    await a.dropImport('imp-1');
    expect(await a.commitImport('imp-1', 'x')).toBe(0);
    expect(await a.suppressedCount()).toBe(0);

    await a.stageImport('imp-2', numbers);
    expect(await a.commitImport('imp-2', 'list')).toBe(12);
    expect(await a.suppression(numbers[3]!)).toMatchObject({ source: 'import', reason: 'list' });
    expect(await a.suppressedCount()).toBe(12);
    expect(await env.ctx.redis.exists(env.ctx.keys.suppressionImport('imp-2'))).toBe(0);
    await a.unsuppress(numbers);
  });
});
