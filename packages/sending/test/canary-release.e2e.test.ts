import { waitFor } from '@sobot/devkit';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

let rig: SendingRig;

beforeAll(async () => {
  rig = await startRig({ sandbox: {}, sendRate: 2_000, concurrency: 50 });
});

afterAll(async () => {
  await rig?.close();
});

test(
  'chunks a passing canary releases are ordinary chunk jobs: ' + 'removed once done, nothing left in the queue',
  async () => {
    const { store, sandbox } = rig;
    const count = 650;
    const id = await commitCampaign(rig, numbers('9199711', count), { canary: { size: 200, maxFailureRatio: 0.2 } });
    const done = await waitFor(
      async () => {
        const v = await store.campaigns.view(id);
        return v?.status === 'completed' ? v : undefined;
      },
      { timeoutMs: 30_000, what: 'the canary campaign to complete' },
    );
    expect(done.counts).toMatchObject({ sent: count, failed: 0, pending: 0 });
    expect(sandbox.stats().total).toBe(count);
    // The chunks released after the canary (200–649) got the queue's job options too: no completed job stays
    // behind (with BullMQ's defaults they would), and each may be retried after a crash.
    const counts = () => store.queue.lane('bulk').getJobCounts('completed', 'failed', 'wait', 'active', 'delayed');
    // The last chunk job may still be finishing when the campaign is seen completed.
    await waitFor(async () => (await counts()).active === 0, { what: 'the last chunk job to finish' });
    expect(await counts()).toEqual({ completed: 0, failed: 0, wait: 0, active: 0, delayed: 0 });
  },
);
