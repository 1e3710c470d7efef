import { SEND_POLICY } from '@sobot/schema';
import { FairShare } from '../src/fair-share';
import { Keys } from '../src/keys';
import { openStore, type TestStore } from './helpers';

let store: TestStore;
let series = 0;

beforeAll(async () => {
  store = await openStore();
});

afterAll(async () => {
  await store?.close();
});

/** A fair-share hash no other test touches. */
function fresh(): FairShare {
  series += 1;
  return new FairShare({ redis: store.ctx.redis, keys: new Keys(`${store.ctx.keys.prefix}-fair${series}`) });
}

const u = (campaignId: string, served: number, waiting = true) => ({ campaignId, served, waiting });

test('sums what every worker served each campaign, and reports the floor of the waiting ones', async () => {
  const share = fresh();
  let t = await share.report([u('a', 10), u('b', 4)]);
  expect(t.virtual).toEqual(
    new Map([
      ['a', 10],
      ['b', 4],
    ]),
  );
  expect(t.floor).toBe(4);
  // A second worker's report adds to the same totals.
  t = await share.report([u('b', 3)]);
  expect(t.virtual.get('b')).toBe(7);
  expect(t.floor).toBe(7);
  // b has nothing waiting anywhere any more: once activeMs passes, the floor is a's.
  await share.report([u('b', 0, false)]);
  await new Promise((r) => setTimeout(r, SEND_POLICY.fairShare.activeMs + 50));
  t = await share.report([u('a', 1)]);
  expect(t.floor).toBe(11);
});

test('a campaign seen for the first time starts from the floor, not from zero', async () => {
  const share = fresh();
  await share.report([u('old1', 500), u('old2', 800)]);
  const t = await share.report([u('new', 1)]);
  expect(t.virtual.get('new')).toBe(501);
  expect(t.floor).toBe(500);
});

test('nothing to report is one round trip less', async () => {
  expect(await fresh().report([])).toEqual({ virtual: new Map(), floor: undefined });
});
