import { CHUNK_SIZE, messageId, type Outcome } from '../src';
import { DEFAULTS, createCampaign, failed, useTestStore, recipient, sent } from './helpers';

/**
 * `skipped` is a terminal state (SPEC §12): recipients not requested on purpose (suppressed, outside the
 * 24-hour window, frequency cap). Written here through the ledger, as the worker writes them.
 */
const env = useTestStore();

const view = async (id: string) => (await env.store.campaigns.view(id))!;
const skipped = (code: string, message: string): Outcome => ({ ...failed(code, message), kind: 'k', attempts: 0 });

async function reportOf(id: string) {
  const rows = [];
  for await (const row of env.store.campaigns.report(id)) rows.push(row);
  return rows;
}

test('skipped recipients are counted and grouped by reason, apart from failures', async () => {
  const id = await createCampaign(env.store, 6);
  await env.store.ledger.record(id, 0, CHUNK_SIZE, [
    { offset: 0, outcome: sent('wamid.K0') },
    { offset: 1, outcome: skipped('SUPPRESSED', 'the number is on the suppression list') },
    { offset: 2, outcome: skipped('OUTSIDE_WINDOW', 'no message from the customer in the last 24 hours') },
    { offset: 3, outcome: skipped('SUPPRESSED', 'the number is on the suppression list (opted out)') },
    { offset: 4, outcome: failed('131026', 'Message undeliverable') },
  ]);
  const v = await view(id);
  expect(v.counts).toMatchObject({ total: 6, sent: 1, failed: 1, skipped: 3, cancelled: 0, pending: 1 });
  expect(v.skip_reasons).toEqual([
    {
      code: 'SUPPRESSED',
      count: 2,
      message: 'the number is on the suppression list (opted out)',
      error_hint: expect.any(String),
    },
    {
      code: 'OUTSIDE_WINDOW',
      count: 1,
      message: 'no message from the customer in the last 24 hours',
      error_hint: expect.any(String),
    },
  ]);
  expect(v.failure_reasons).toEqual([
    { code: '131026', count: 1, message: 'Message undeliverable', error_hint: expect.any(String) },
  ]);

  const rows = await reportOf(id);
  expect(rows.map((r) => r.status)).toEqual(['sent', 'skipped', 'skipped', 'skipped', 'failed', 'pending']);
  expect(rows[2]).toMatchObject({
    status: 'skipped',
    wamid: '',
    error_code: 'OUTSIDE_WINDOW',
    error_message: 'no message from the customer in the last 24 hours',
    attempts: 0,
    delivery_status: '',
  });
  expect(await env.store.campaigns.message(messageId(id, 1))).toMatchObject({
    status: 'skipped',
    wamid: null,
    error_code: 'SUPPRESSED',
    error_message: 'the number is on the suppression list',
  });

  // The last recipient skipped too: every recipient has ended, so the campaign has.
  const last = await env.store.ledger.record(id, 0, CHUNK_SIZE, [
    { offset: 5, outcome: skipped('FREQUENCY_CAP', 'c') },
  ]);
  expect(last.completed).toBe(true);
  expect((await view(id)).counts).toMatchObject({ sent: 1, failed: 1, skipped: 4, pending: 0 });
});

test('a cancelled campaign counts its skipped recipients as skipped, not cancelled', async () => {
  const id = await createCampaign(env.store, 5);
  await env.store.ledger.record(id, 0, CHUNK_SIZE, [
    { offset: 0, outcome: sent('wamid.C0') },
    { offset: 1, outcome: skipped('SUPPRESSED', 's') },
    { offset: 2, outcome: skipped('SUPPRESSED', 's') },
  ]);
  await env.store.control.cancel(id);
  const v = await view(id);
  expect(v.counts).toMatchObject({ total: 5, sent: 1, failed: 0, skipped: 2, cancelled: 2, pending: 0 });
  expect((await reportOf(id)).map((r) => r.status)).toEqual(['sent', 'skipped', 'skipped', 'cancelled', 'cancelled']);
});

test('a skipped outcome is terminal: recording it again or recording a send after it changes nothing', async () => {
  const id = await createCampaign(env.store, 2);
  const at = (o: Outcome) => env.store.ledger.record(id, 0, CHUNK_SIZE, [{ offset: 0, outcome: o }]);
  expect((await at(skipped('SUPPRESSED', 's'))).applied).toBe(1);
  expect((await at(skipped('SUPPRESSED', 's'))).applied).toBe(0);
  expect((await at(sent('wamid.late'))).applied).toBe(0);
  expect((await view(id)).counts).toMatchObject({ sent: 0, skipped: 1, pending: 1 });
});

test('API messages skipped count in the summary of the last 24 hours', async () => {
  const writer = env.store.newCampaign(DEFAULTS);
  for (let i = 0; i < 3; i += 1) await writer.add(recipient(i));
  await writer.commit({ name: 'api', source: 'api', defaults: DEFAULTS, total: 3, rejected: 0, duplicates: 0 });
  const before = await env.store.campaigns.messageSummary();
  await env.store.ledger.record(
    writer.campaignId,
    0,
    CHUNK_SIZE,
    [
      { offset: 0, outcome: skipped('SUPPRESSED', 's') },
      { offset: 1, outcome: sent('wamid.api1') },
    ],
    'api',
  );
  const after = await env.store.campaigns.messageSummary();
  expect(after.skipped - before.skipped).toBe(1);
  expect(after.sent - before.sent).toBe(1);
  expect(after.pending).toBe(after.accepted - after.sent - after.failed - after.skipped);
});

test('retry-failed puts back the failed recipients only: skipped ones stay skipped', async () => {
  const id = await createCampaign(env.store, 3);
  await env.store.ledger.record(id, 0, CHUNK_SIZE, [
    { offset: 0, outcome: skipped('SUPPRESSED', 's') },
    { offset: 1, outcome: failed('131026', 'Message undeliverable') },
    { offset: 2, outcome: sent('wamid.R2') },
  ]);
  expect((await view(id)).status).toBe('completed');
  expect(await env.store.control.retryFailed(id)).toMatchObject({ reset: 1 });
  const v = await view(id);
  expect(v.counts).toMatchObject({ sent: 1, failed: 0, skipped: 1, pending: 1 });
  expect(v.skip_reasons).toEqual([{ code: 'SUPPRESSED', count: 1, message: 's', error_hint: expect.any(String) }]);
});
