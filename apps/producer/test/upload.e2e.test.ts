/**
 * Issue 2 end to end: `pnpm producer` + `pnpm worker` as real processes, a real Redis and the sandbox
 * over loopback. A messy list goes in; the report must match what the API received, row for row.
 */
import type { Sandbox } from '@sobot/sandbox';
import { json, type System } from '@sobot/devkit';
import { closeSandboxSystem, startSandboxSystem, type SandboxSystem } from './sandbox-system';

let env: SandboxSystem;
let sandbox: Sandbox;
let sys: System;
let image: string;

beforeAll(async () => {
  env = await startSandboxSystem({ latencyMs: 5 });
  ({ sandbox, sys, image } = env);
});

afterAll(async () => {
  await closeSandboxSystem(env ?? {});
});

beforeEach(() => sandbox.reset());

/** 1,500 rows in the shapes operators really upload. */
function messyCsv(): { csv: string; valid: Set<string>; rejected: number; duplicates: number; firstBadRow: number } {
  const lines = ['Mobile,Name'];
  const valid = new Set<string>();
  let rejected = 0;
  let duplicates = 0;
  let firstBadRow = 0;
  for (let i = 1; i <= 1500; i += 1) {
    const n = String(i).padStart(6, '0');
    const digits = `919970${n}`;
    if (i % 100 === 0) {
      firstBadRow ||= lines.length;
      lines.push(`12${i},Too Short ${i}`);
      rejected += 1;
    } else if (i % 37 === 0) {
      lines.push(`+91 9970${n.slice(0, 2)} ${n.slice(2)},Dup of 1`);
      lines.push(`0091${digits.slice(2)},Also dup`);
      // this row's number twice more: the first is the recipient, then one duplicate
      valid.add(digits);
      duplicates += 1;
    } else if (i % 3 === 0) {
      lines.push(`(91) 9970-${n},"=HYPERLINK(""http://x"")"`);
      valid.add(digits);
    } else if (i % 3 === 1) {
      lines.push(`+91 9970${n.slice(0, 2)} ${n.slice(2)},Customer ${i}`);
      valid.add(digits);
    } else {
      lines.push(`0091${digits.slice(2)},Customer ${i}`);
      valid.add(digits);
    }
  }
  lines.push('+91 99700 00001,Duplicate of row 1');
  duplicates += 1;
  return { csv: `${lines.join('\n')}\n`, valid, rejected, duplicates, firstBadRow };
}

test(
  'a messy CSV is sent once per unique valid number ' + 'and the report carries the wamids the API returned',
  async () => {
    const { csv, valid, rejected, duplicates, firstBadRow } = messyCsv();
    const total = csv.trim().split('\n').length - 1;
    const up = await sys.upload(csv, { image_url: image, caption: 'Hello' });
    expect(up.status).toBe(202);
    expect(up.body).toMatchObject({ total, accepted: valid.size, rejected, duplicates });
    expect(up.body.total).toBe(up.body.accepted + up.body.rejected + up.body.duplicates);
    expect(up.body.errors[0]).toMatchObject({ row: firstBadRow, field: 'customer_number' });

    const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
    expect(done.counts).toMatchObject({ total: valid.size, sent: valid.size, failed: 0, pending: 0 });

    const stats = sandbox.stats();
    expect(Object.keys(stats.byNumber).sort()).toEqual([...valid].sort());
    expect(Object.values(stats.byNumber).every((n) => n === 1)).toBe(true);

    const rows = await sys.reportRows(up.body.id);
    expect(rows).toHaveLength(valid.size);
    for (const r of rows) {
      expect(r.status).toBe('sent');
      expect(stats.wamids[r.customer_number]).toEqual([r.wamid]);
    }
    expect(rows.find((r) => r.customer_name.startsWith('=HYPERLINK'))).toBeDefined();

    const csvReport = await (await sys.api(`/v1/campaigns/${up.body.id}/report?format=csv`)).text();
    expect(csvReport.split('\r\n')[0]).toBe(
      'customer_number,customer_name,status,wamid,error_code,error_message,attempts,updated_at,delivery_status',
    );
    expect(csvReport).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csvReport).not.toMatch(/,=HYPERLINK/);
  },
);

test('numbers the API refuses for good are failed with its code and message; 5xx are retried until sent', async () => {
  sandbox.setFaults({ closedNumbers: ['918800000003', '918800000007'], errorRatio: 0.3 });
  const csv = [
    'phone,name',
    ...Array.from({ length: 40 }, (_, i) => `9188000000${String(i).padStart(2, '0')},N ${i}`),
  ].join('\n');
  const up = await sys.upload(csv, { image_url: image });
  expect(up.status).toBe(202);
  const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(done.counts).toMatchObject({ sent: 38, failed: 2, pending: 0 });
  expect(done.failure_reasons).toEqual([expect.objectContaining({ code: '131047', count: 2 })]);
  const rows = await sys.reportRows(up.body.id);
  const failed = rows.filter((r) => r.status === 'failed');
  expect(failed.map((r) => r.customer_number).sort()).toEqual(['918800000003', '918800000007']);
  expect(failed[0]!.error_message).toMatch(/re-engagement|24/i);
  const stats = sandbox.stats();
  for (const r of rows.filter((x) => x.status === 'sent')) expect(stats.byNumber[r.customer_number]).toBe(1);
  expect(stats.outcomes['5xx']).toBeGreaterThan(0);
  expect(rows.some((r) => Number(r.attempts) > 1)).toBe(true);
});

test('/v1 without a key or with a wrong one is 401 and sends nothing', async () => {
  const body = 'phone,name\n919900000001,A\n';
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic x' }] as Array<
    Record<string, string>
  >) {
    const res = await fetch(`${sys.url}/v1/campaigns?image_url=${encodeURIComponent(image)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...headers },
      body,
    });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('UNAUTHORIZED');
  }
  expect((await fetch(`${sys.url}/v1/campaigns`)).status).toBe(401);
  expect(sandbox.stats().total).toBe(0);
});

describe('bad files get a clear 4xx and leave no campaign behind', () => {
  const cases: Array<[string, string, string, string]> = [
    ['binary garbage', '\u0000\u0001\u0002PK\u0003\u0004\u00ff\u00fe', 'application/octet-stream', 'UNPARSEABLE'],
    ['no phone column', 'name,email\nAnn,a@x.io\n', 'text/csv', 'NO_PHONE_COLUMN'],
    ['malformed JSON', '[{"phone": "919900000001", "name": "A"', 'application/json', 'UNPARSEABLE'],
    ['an unclosed quote', 'phone,name\n919900000001,"Ann\n919900000002,Bob\n', 'text/csv', 'UNPARSEABLE'],
    ['no valid rows', 'phone,name\n123,A\n', 'text/csv', 'NO_VALID_ROWS'],
  ];
  test.each(cases)('%s', async (_label, body, type, code) => {
    const before = (await json(await sys.api('/v1/campaigns'))).campaigns.length;
    const res = await sys.upload(body, { image_url: image }, type);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|\.ts:\d+/);
    expect((await json(await sys.api('/v1/campaigns'))).campaigns.length).toBe(before);
  });

  test('a body that is not a recipient list is a 415', async () => {
    const before = (await json(await sys.api('/v1/campaigns'))).campaigns.length;
    const res = await sys.upload('<a/>', { image_url: image }, 'application/xml');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await json(await sys.api('/v1/campaigns'))).campaigns.length).toBe(before);
  });

  test('strict=true with one bad row rejects the whole file', async () => {
    const before = (await json(await sys.api('/v1/campaigns'))).campaigns.length;
    const res = await sys.upload('phone,name\n919900000001,A\n12,B\n919900000003,C\n', {
      image_url: image,
      strict: 'true',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('STRICT_REJECTED');
    expect(res.body.error.details.errors).toEqual([expect.objectContaining({ row: 2, field: 'customer_number' })]);
    expect((await json(await sys.api('/v1/campaigns'))).campaigns.length).toBe(before);
    expect(sandbox.stats().total).toBe(0);
  });
});

test('bad rows are reported by row and field; only the good rows are sent', async () => {
  const long = 'x'.repeat(1025);
  const csv = [
    'phone,name,caption,image_url',
    '919911000001,Good One,,',
    `919911000002,Long Caption,${long},`,
    '919911000003,Bad Url,,ftp://example.com/a.jpg',
    '919911000004,,,',
    '919911000005,Good Two,hi,',
  ].join('\n');
  const up = await sys.upload(csv, { image_url: image });
  expect(up.status).toBe(202);
  expect(up.body).toMatchObject({ total: 5, accepted: 2, rejected: 3, duplicates: 0 });
  expect(up.body.errors).toEqual([
    expect.objectContaining({ row: 2, field: 'caption' }),
    expect.objectContaining({ row: 3, field: 'url' }),
    expect.objectContaining({ row: 4, field: 'customer_name' }),
  ]);
  await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(Object.keys(sandbox.stats().byNumber).sort()).toEqual(['919911000001', '919911000005']);
  const rejected = await (await sys.api(`/v1/campaigns/${up.body.id}/rejected?format=csv`)).text();
  expect(rejected.split('\r\n').filter(Boolean)).toHaveLength(4);
});

test('no secret reaches a log line', async () => {
  const logs = sys.logs();
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).not.toContain(sys.token);
  expect(logs).not.toContain('test-key');
  expect(logs).not.toContain('test-secret');
});
