import { waitFor } from '@sobot/devkit';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/** The lag /metrics shows for the transactional lane (sobot_transactional_lag_seconds): counted by the workers. */
let rig: SendingRig;

beforeAll(async () => {
  rig = await startRig({ sendRate: 200, concurrency: 20 });
});

afterAll(async () => {
  await rig?.close();
});

/** The workers' sums once they have flushed (every second). */
const sums = () => rig.store.metrics.read();
const sentTotal = async () => (await sums())['sent'] ?? 0;

test('transactional sends are counted into the lag histogram, bulk sends are not', async () => {
  await commitCampaign(rig, numbers('9198101', 30));
  await waitFor(async () => (await sentTotal()) >= 30, { what: '30 bulk sends counted' });
  expect((await sums())['tlag:count'] ?? 0).toBe(0);

  await commitCampaign(rig, numbers('9198102', 4), { source: 'api' });
  const m = await waitFor(async () => ((await sums())['tlag:count'] === 4 ? sums() : undefined), {
    what: 'four transactional lags counted',
  });
  const buckets = Object.entries(m)
    .filter(([k]) => /^tlag:\d+$/.test(k))
    .reduce((n, [, v]) => n + v, 0);
  expect(buckets).toBe(4);
  // Each lag is at least 0 and the sum is what the buckets were filled from.
  expect(m['tlag:sum_ms']).toBeGreaterThanOrEqual(0);
  expect(m['tlag:sum_ms']).toBeLessThan(4 * 30_000);
});
