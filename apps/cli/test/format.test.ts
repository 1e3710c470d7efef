import type { CampaignView } from '@sobot/client';
import { campaignStatus, campaignTable, done, finalSummary, percent } from '../src/format';

/** What `status`, `list` and `watch` print for a campaign with skipped recipients (SPEC §12). */
const view: CampaignView = {
  id: 'c0000000000000001',
  name: 'spring promo',
  source: 'upload',
  lane: 'bulk',
  weight: 1,
  send_at: null,
  status: 'completed',
  paused_reason: null,
  waiting_reason: null,
  image_url: null,
  caption: null,
  counts: {
    total: 10,
    pending: 0,
    sent: 5,
    failed: 1,
    skipped: 4,
    cancelled: 0,
    waiting: 0,
    delivered: 0,
    read: 0,
    delivery_failed: 0,
  },
  rows: { total: 12, accepted: 10, rejected: 0, duplicates: 0, suppressed: 2 },
  window: 'send',
  in_window: 0,
  failure_reasons: [{ code: '131026', count: 1, message: 'Message undeliverable' }],
  skip_reasons: [
    { code: 'SUPPRESSED', count: 3, message: 'the number is on the suppression list' },
    { code: 'OUTSIDE_WINDOW', count: 1, message: 'no message from the customer in the last 24 hours' },
  ],
  rate: 0,
  eta_seconds: null,
  quiet_hours: null,
  waiting_until: null,
  created_at: '2026-01-01T00:00:00.000Z',
  started_at: '2026-01-01T00:00:00.000Z',
  completed_at: '2026-01-01T00:01:00.000Z',
  updated_at: '2026-01-01T00:01:00.000Z',
};

test('skipped recipients count as done, and status shows them with their reasons', () => {
  expect(done(view)).toBe(10);
  expect(percent(view)).toBe('100%');
  const text = campaignStatus(view);
  expect(text).toContain('progress  10/10 (100%)  sent 5 · failed 1 · skipped 4 · pending 0 · cancelled 0');
  expect(text).toContain('failures  1 × 131026: Message undeliverable');
  expect(text).toContain('skipped   3 × SUPPRESSED: the number is on the suppression list');
  expect(text).toContain('skipped   1 × OUTSIDE_WINDOW: no message from the customer in the last 24 hours');
});

test('list has a SKIPPED column; the watch summary names the skipped', () => {
  const [header, row] = campaignTable([view]).split('\n');
  expect(header).toMatch(/SENT\s+FAILED\s+SKIPPED\s+PENDING/);
  expect(row).toMatch(/10\/10\s+5\s+1\s+4\s+0\s/);
  expect(finalSummary(view).split('\n')).toEqual([
    'c0000000000000001 completed in 1m00s: 5 sent, 1 failed, 4 skipped of 10',
    '  1 × 131026: Message undeliverable',
    '  skipped 3 × SUPPRESSED: the number is on the suppression list',
    '  skipped 1 × OUTSIDE_WINDOW: no message from the customer in the last 24 hours',
  ]);
});

test('a campaign paused by the breaker shows the reason', () => {
  const paused: CampaignView = {
    ...view,
    status: 'paused',
    paused_reason: 'campaign breaker: 131053 (Media upload error) failed 25 of the first 41 requests',
  };
  expect(campaignStatus(paused).split('\n')[0]).toBe(
    'c0000000000000001  "spring promo"  paused (campaign breaker: 131053 (Media upload error) failed 25 of the ' +
      'first 41 requests)',
  );
});

test('failure and skip reasons show what the code means and what to do (error_hint) under them', () => {
  const v = {
    ...view,
    failure_reasons: [
      {
        code: '131047',
        count: 3,
        message: 'Re-engagement message',
        error_hint: 'Outside the 24 hours. Send a template.',
      },
      { code: '999', count: 1, message: 'odd' },
    ],
    skip_reasons: [
      { code: 'SUPPRESSED', count: 2, message: '', error_hint: 'On the suppression list. Nothing to do.' },
    ],
  };
  const text = campaignStatus(v);
  expect(text).toMatch(
    /^failures {2}3 × 131047: Re-engagement message\n {12}→ Outside the 24 hours\. Send a template\.$/m,
  );
  expect(text).toMatch(/^failures {2}1 × 999: odd$/m);
  expect(text).toMatch(/^skipped {3}2 × SUPPRESSED\n {12}→ On the suppression list\. Nothing to do\.$/m);
  expect(finalSummary(v)).toContain('3 × 131047: Re-engagement message\n    → Outside the 24 hours.');
});
