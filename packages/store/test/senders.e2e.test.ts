import fc from 'fast-check';
import type { StoreContext } from '../src/context';
import { Keys } from '../src/keys';
import { Senders, type AssignRequest, type SenderInfo } from '../src/senders';
import { openStore, type TestStore } from './helpers';

let store: TestStore;
let spaces = 0;

beforeAll(async () => {
  store = await openStore();
});
afterAll(async () => {
  await store?.close();
});

/** Senders on a key namespace no other test touches, over the given connections. */
function fresh(ctxs: StoreContext[] = [store.ctx]): Senders[] {
  spaces += 1;
  const keys = new Keys(`${store.ctx.keys.prefix}-snd${spaces}`);
  return ctxs.map((c) => new Senders({ redis: c.redis, keys }));
}

const A: SenderInfo = { id: 'a', rate: 80, portfolio: 'acme', numbers: [] };
const B: SenderInfo = { id: 'b', rate: 80, portfolio: 'acme', numbers: [] };
const C: SenderInfo = { id: 'c', rate: 20, portfolio: 'other', numbers: [] };
const DAY = 24 * 3_600_000;

const base = (over: Partial<AssignRequest>): AssignRequest => ({
  senders: [A, B],
  limits: {},
  recipients: [],
  stickyMs: 30 * DAY,
  pairIntervalMs: 0,
  windowMs: DAY,
  pairMarginMs: 0,
  ...over,
});
const to = (numbers: string[], inWindow = false) => numbers.map((number) => ({ number, inWindow, retry: false }));
const nums = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(919800000000 + from + i));

describe('assign: the sender of each recipient, the messaging limit, the pair rate', () => {
  it('spreads new numbers over the senders by free capacity and keeps each number on its sender', async () => {
    const [s] = fresh();
    const first = await s!.assign(base({ senders: [A, B, C], recipients: to(nums(120)) }));
    const per = (list: typeof first) => list.reduce((m, x) => m.set(x.sender, (m.get(x.sender) ?? 0) + 1), new Map());
    // Rates 80, 80, 20: shares 4 : 4 : 1.
    expect(Object.fromEntries(per(first))).toEqual({ a: 53, b: 53, c: 14 });
    expect(first.every((x) => x.status === 'go')).toBe(true);
    // Sticky: the same numbers, later, in another order, go to the same senders.
    const again = await s!.assign(base({ senders: [A, B, C], recipients: to(nums(120).reverse()) }));
    expect(again.map((x) => x.sender).reverse()).toEqual(first.map((x) => x.sender));
    // Past the sticky time they are spread afresh.
    const later = await s!.assign(
      base({ senders: [A, B, C], recipients: to(nums(120).reverse()), now: Date.now() + 31 * DAY }),
    );
    expect(later.map((x) => x.sender).reverse()).not.toEqual(first.map((x) => x.sender));
  });

  it('moves a sticky number off a paused sender; no active sender left is `none`', async () => {
    const [s] = fresh();
    const [one] = await s!.assign(base({ recipients: to(['919811111111']) }));
    await s!.pause(one!.sender, '401', 'wrong key');
    const [moved] = await s!.assign(base({ recipients: to(['919811111111']) }));
    expect(moved!.sender).not.toBe(one!.sender);
    await s!.pause(moved!.sender, '368', 'blocked');
    expect(await s!.assign(base({ recipients: to(['919811111111']) }))).toEqual([
      { sender: '', status: 'none', until: 0 },
    ]);
    expect(await s!.resume(one!.sender)).toBe(true);
    expect((await s!.assign(base({ recipients: to(['919811111111']) })))[0]!.sender).toBe(one!.sender);
  });

  it('messaging limit: repeats and in-window numbers free, the rest wait for the oldest to leave', async () => {
    const [s] = fresh();
    const now = 1_000_000;
    const r = (recipients: AssignRequest['recipients'], at = now) =>
      s!.assign(base({ limits: { acme: 3 }, recipients, now: at, windowMs: 60_000 }));
    expect((await r(to(nums(2)))).map((x) => x.status)).toEqual(['go', 'go']);
    // A repeat costs nothing; an in-window number is exempt; the third new one takes the last slot.
    const next = await r([...to(nums(1)), ...to(['919833333333'], true), ...to(nums(2, 2))], now + 10_000);
    expect(next.map((x) => x.status)).toEqual(['go', 'go', 'go', 'limit']);
    expect(next[3]!.until).toBe(now + 60_000);
    const usage = await s!.usage('acme', 3, 60_000, now + 10_000);
    expect(usage).toEqual({
      portfolio: 'acme',
      messaging_limit: 3,
      used_24h: 3,
      remaining_24h: 0,
      next_release_at: new Date(now + 60_000).toISOString(),
    });
    // When the window has moved past the first two, two new numbers go.
    expect((await r(to(nums(2, 3)), now + 60_001)).map((x) => x.status)).toEqual(['go', 'go']);
  });

  it('four workers racing for the last 10 slots admit exactly 10 (overshoot 0)', async () => {
    const conns = [store.connect(), store.connect(), store.connect(), store.connect()];
    const ss = fresh(conns);
    const limits = { acme: 250 };
    await ss[0]!.assign(base({ limits, recipients: to(nums(240)) }));
    // Each worker asks for 30 new numbers of its own, in chunks of 5, all at once.
    const results = await Promise.all(
      ss.flatMap((s, w) =>
        Array.from({ length: 6 }, (_, c) =>
          s.assign(base({ limits, recipients: to(nums(5, 1000 + w * 100 + c * 5)) })),
        ),
      ),
    );
    const admitted = results.flat().filter((x) => x.status === 'go').length;
    expect(admitted).toBe(10);
    expect((await ss[0]!.usage('acme', 250, DAY)).used_24h).toBe(250);
  });

  it('property: whatever the order of numbers and chunks, admitted new numbers never pass the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 12 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 15 }),
        async (chunks, limit) => {
          const [s] = fresh();
          const admitted = new Set<string>();
          for (const chunk of chunks) {
            const list = chunk.map((i) => String(919700000000 + i));
            const out = await s!.assign(base({ limits: { acme: limit }, recipients: to(list) }));
            out.forEach((x, i) => {
              if (x.status === 'go') admitted.add(list[i]!);
            });
          }
          expect(admitted.size).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps two requests to one number from one sender a pair interval apart; a retry is not new', async () => {
    const [s] = fresh();
    const now = 5_000_000;
    const one = { senders: [A], pairIntervalMs: 6000, pairMarginMs: 100 };
    expect((await s!.assign(base({ ...one, recipients: to(['919844444444']), now })))[0]).toEqual({
      sender: 'a',
      status: 'go',
      until: 0,
    });
    // Two more messages to it, one chunk, right after: both wait for the first's time + 6 s.
    const next = await s!.assign(base({ ...one, recipients: to(['919844444444', '919844444444']), now: now + 17 }));
    expect(next.map((x) => [x.status, x.until])).toEqual([
      ['pair', now + 100 + 6000],
      ['pair', now + 100 + 6000],
    ]);
    const retry = await s!.assign(
      base({ ...one, recipients: [{ number: '919844444444', inWindow: false, retry: true }], now: now + 20 }),
    );
    expect(retry[0]!.status).toBe('go');
    const then = await s!.assign(base({ ...one, recipients: to(['919844444444', '919844444444']), now: now + 6100 }));
    expect(then.map((x) => x.status)).toEqual(['go', 'pair']);
  });
});
