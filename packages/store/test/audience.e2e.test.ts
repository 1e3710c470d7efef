import { AUDIENCE } from '../src';
import { place } from '../src/audience';
import { keysContaining, openStore, type TestStore } from './helpers';

let env: TestStore;

beforeAll(async () => {
  env = await openStore();
});

afterAll(async () => {
  await env?.close();
});

const HOUR = 3_600_000;
const num = (i: number): string => `9198${String(i).padStart(8, '0')}`;

describe('audience: suppression list', () => {
  test('suppress counts only new numbers, keeps the first reason, and unsuppress lifts it', async () => {
    const a = env.store.audience;
    const numbers = [num(1), num(2), num(3)];
    expect(await a.suppress(numbers, 'complaint', 1_800_000_000_000)).toBe(3);
    expect(await a.suppress([num(2), num(4)], 'STOP')).toBe(1);
    expect(await a.suppression(num(2))).toEqual({
      number: num(2),
      reason: 'complaint',
      at: 1_800_000_000_000,
      source: 'operator',
    });
    expect(await a.suppression(num(4))).toMatchObject({ number: num(4), reason: 'STOP' });
    expect(await a.suppression(num(5))).toBeUndefined();
    expect(await a.suppressedCount()).toBe(4);
    expect(await a.unsuppress([num(1), num(5)])).toBe(1);
    expect(await a.suppression(num(1))).toBeUndefined();
    expect(await a.suppressedCount()).toBe(3);
    const flags = await a.lookup([num(1), num(2), num(3), num(4), num(5), num(2)]);
    expect([...flags].map((f) => f & AUDIENCE.suppressed)).toEqual([0, 1, 1, 1, 0, 1]);
    await a.unsuppress([num(2), num(3), num(4)]);
    expect(await a.suppressedCount()).toBe(0);
    expect(await a.suppressions(10)).toEqual({ items: [], next: null });
  });

  test('a reason given by another process is named in its listing; no reason is null', async () => {
    const a = env.store.audience;
    await a.suppress([num(10)], 'from elsewhere');
    await a.suppress([num(11)]);
    const other = env.open().audience;
    expect(await other.suppression(num(11))).toMatchObject({ reason: null });
    const page = await other.suppressions(10);
    expect(page.items.map((s) => [s.number, s.reason])).toEqual(
      expect.arrayContaining([
        [num(10), 'from elsewhere'],
        [num(11), null],
      ]),
    );
    await a.unsuppress([num(10), num(11)]);
  });

  test('short numbers and numbers sharing a bucket are told apart', async () => {
    const a = env.store.audience;
    const odd = ['123', '98765', '012345', '0098765', '198765'];
    expect(new Set(odd.map((n) => JSON.stringify(place(n)))).size).toBe(odd.length);
    expect(await a.suppress(odd)).toBe(5);
    expect([...(await a.lookup([...odd, '23', '8765']))]).toEqual([1, 1, 1, 1, 1, 0, 0]);
    const listed: string[] = [];
    for await (const batch of a.allSuppressions()) listed.push(...batch.map((s) => s.number));
    expect(listed.sort()).toEqual([...odd].sort());
    await a.unsuppress(odd);
  });

  test('pages hold at most `limit` and together the whole list exactly once', async () => {
    const a = env.store.audience;
    // 250 numbers, many in one bucket (same last 5 digits, different leading digits) to split a bucket.
    const numbers = [
      ...Array.from({ length: 200 }, (_, i) => num(i * 7919)),
      ...Array.from({ length: 50 }, (_, i) => `91${70 + i}0012345`),
    ];
    expect(await a.suppress(numbers, 'bulk')).toBe(250);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: Array<{ number: string }>; next: string | null } = await a.suppressions(17, cursor);
      expect(page.items.length).toBeLessThanOrEqual(17);
      seen.push(...page.items.map((s) => s.number));
      cursor = page.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(15);
    expect(seen.sort()).toEqual([...numbers].sort());
    await a.unsuppress(numbers);
  });

  test('the prefilter says "maybe" for every suppressed number and "no" for most others', async () => {
    const a = env.store.audience;
    const numbers = Array.from({ length: 1000 }, (_, i) => num(i * 37 + 5));
    await a.suppress(numbers);
    const maybe = await a.suppressionFilter();
    expect(numbers.every(maybe)).toBe(true);
    const others = Array.from({ length: 1000 }, (_, i) => `9177${String(i * 13).padStart(8, '0')}`);
    expect(others.filter(maybe).length).toBeLessThan(50);
    // Lifting a suppression leaves its bit (a "maybe" costs only a lookup).
    await a.unsuppress(numbers);
    expect([...(await a.lookup(numbers.slice(0, 10)))]).toEqual(new Array(10).fill(0));
  });

  test('a non-digit number is refused', async () => {
    await expect(env.store.audience.suppress(['+9198'])).rejects.toMatchObject({ code: 'BAD_NUMBER' });
  });
});

describe('audience: windows and marks', () => {
  test('an inbound message opens the window for 24 h; 131047 closes it; the latest inbound is kept', async () => {
    const a = env.store.audience;
    const now = Date.now();
    expect(await env.open().audience.lastInboundAt()).toBeNull();
    await a.openWindows(
      [
        { number: num(20), atMs: now - 2 * HOUR },
        { number: num(21), atMs: now - 23 * HOUR },
        { number: num(22), atMs: now - 25 * HOUR },
        { number: num(23), atMs: now + HOUR },
      ],
      now,
    );
    expect(await a.lastInboundAt()).toBe(now);
    const window = async (at: number) =>
      [...(await a.lookup([num(20), num(21), num(22), num(23), num(24)], { window: true, now: at }))].map(
        (f) => (f & AUDIENCE.inWindow) > 0,
      );
    expect(await window(now)).toEqual([true, true, false, true, false]);
    // 2 h later the 23-hour-old message's window has closed.
    expect(await window(now + 2 * HOUR)).toEqual([true, false, false, true, false]);
    await a.closeWindows([num(20)], now);
    expect(await window(now)).toEqual([false, true, false, true, false]);
    // Without `window` the answer says nothing about windows.
    expect([...(await a.lookup([num(21)], { now }))]).toEqual([0]);
    // Window keys expire by themselves.
    for (const key of await keysContaining(env.ctx, ':w')) expect(await env.ctx.redis.ttl(key)).toBeGreaterThan(0);
  });

  test('frequency marks count within capHours only; 131049 marks for 24 h', async () => {
    const a = env.store.audience;
    const now = Date.now();
    await a.markSent([num(30)], 48, now - 30 * HOUR);
    await a.markSent([num(31)], 48, now - HOUR);
    await a.mark131049([num(32)], now - 2 * HOUR);
    const flags = async (opts: { capHours?: number; marks131049?: boolean }) => [
      ...(await a.lookup([num(30), num(31), num(32)], { ...opts, now })),
    ];
    expect(await flags({ capHours: 48 })).toEqual([AUDIENCE.capped, AUDIENCE.capped, 0]);
    expect(await flags({ capHours: 24 })).toEqual([0, AUDIENCE.capped, 0]);
    expect(await flags({})).toEqual([0, 0, 0]);
    expect(await flags({ marks131049: true })).toEqual([0, 0, AUDIENCE.marked131049]);
    expect([...(await a.lookup([num(32)], { marks131049: true, now: now + 23 * HOUR }))]).toEqual([0]);
    for (const key of [...(await keysContaining(env.ctx, ':f')), ...(await keysContaining(env.ctx, ':m'))]) {
      expect(await env.ctx.redis.ttl(key)).toBeGreaterThan(0);
    }
  });

  test('suppressed, in window and capped at once', async () => {
    const a = env.store.audience;
    const now = Date.now();
    await a.suppress([num(40)]);
    await a.openWindows([{ number: num(40), atMs: now }], now);
    await a.markSent([num(40)], 5, now);
    const [f] = await a.lookup([num(40)], { window: true, capHours: 5, marks131049: true, now });
    expect(f).toBe(AUDIENCE.suppressed | AUDIENCE.inWindow | AUDIENCE.capped);
    await a.unsuppress([num(40)]);
  });
});
