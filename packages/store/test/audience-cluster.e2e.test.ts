/**
 * The audience store on a real 3-master Redis Cluster: its scripts build bucket keys from the group's prefix and
 * must run on the group's slot; the 10 groups spread over the masters; lookups, listings and the prefilter work.
 */
import pino from 'pino';
import { startTestCluster, type TestCluster } from '@sobot/devkit';
import { AUDIENCE, Store } from '../src';

let cluster: TestCluster;
let store: Store;

beforeAll(async () => {
  cluster = await startTestCluster(3);
  store = Store.open({ url: cluster.url, cluster: true, prefix: 'aud', resultTtlDays: 1 }, pino({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await store?.close();
  await cluster?.close();
});

test('suppress, look up, list, window and marks across the cluster', async () => {
  const numbers = Array.from({ length: 5_000 }, (_, i) => `9195${String(i * 13).padStart(8, '0')}`);
  expect(await store.audience.suppress(numbers, 'cluster')).toBe(5_000);
  expect(await store.audience.suppressedCount()).toBe(5_000);
  const others = Array.from({ length: 100 }, (_, i) => `9194${String(i).padStart(8, '0')}`);
  const flags = await store.audience.lookup([...numbers.slice(0, 100), ...others], { window: true, capHours: 5 });
  expect([...flags].map((f) => f & AUDIENCE.suppressed)).toEqual([
    ...new Array(100).fill(1),
    ...new Array(100).fill(0),
  ]);
  const maybe = await store.audience.suppressionFilter();
  expect(numbers.every(maybe)).toBe(true);

  const listed: string[] = [];
  for await (const batch of store.audience.allSuppressions()) listed.push(...batch.map((s) => s.number));
  expect(listed.sort()).toEqual([...numbers].sort());

  const now = Date.now();
  await store.audience.openWindows([{ number: others[0]!, atMs: now }], now);
  await store.audience.markSent([others[1]!], 5, now);
  await store.audience.mark131049([others[2]!], now);
  const [w, f, m] = await store.audience.lookup(others.slice(0, 3), { window: true, capHours: 5, marks131049: true });
  expect([w, f, m]).toEqual([AUDIENCE.inWindow, AUDIENCE.capped, AUDIENCE.marked131049]);
  expect(await store.audience.lastInboundAt()).toBe(now);

  expect(await store.audience.unsuppress(numbers)).toBe(5_000);
  expect(await store.audience.suppressions(10)).toEqual({ items: [], next: null });
});

test('inbound keywords (ids, keyword order, sources) and staged imports across the cluster', async () => {
  const now = Date.now();
  const senders = Array.from({ length: 10 }, (_, i) => `658123456${i}`);
  const stops = senders.map((number, i) => ({
    number,
    id: `wamid.c${i}`,
    atMs: now - 60_000,
    action: 'opt-out' as const,
  }));
  expect(await store.audience.applyInbound(stops, 'opt-out keyword', { now })).toEqual(
    new Array(10).fill('suppressed'),
  );
  expect(await store.audience.applyInbound(stops, 'opt-out keyword', { now })).toEqual(new Array(10).fill('duplicate'));
  expect(await store.audience.suppression(senders[3]!)).toMatchObject({ source: 'keyword' });
  const starts = senders.map((number) => ({ number, atMs: now, action: 'opt-in' as const }));
  expect(await store.audience.applyInbound(starts, 'opt-out keyword', { now })).toEqual(new Array(10).fill('lifted'));

  await store.audience.stageImport('cluster-import', senders);
  expect(await store.audience.commitImport('cluster-import', 'list')).toBe(10);
  expect(await store.audience.suppression(senders[7]!)).toMatchObject({ source: 'import' });
  expect(await store.audience.unsuppress(senders)).toBe(10);
});
