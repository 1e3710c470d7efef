/**
 * SPEC §11 end to end: producer and worker as real processes, a real Redis, the sandbox over loopback behind a
 * recording pass-through (it forwards every request unchanged and keeps the JSON bodies, so the test sees the
 * captions the sandbox was sent). Files are made here as Excel and CRMs write them; what reaches the sandbox
 * must be numbers that were in the file, and only those.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { json, startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';

let redis: TestRedis;
let sandbox: Sandbox;
let tap: Server;
let sys: System;
let image: string;
/** JSON bodies the sandbox was sent, in order. */
let sent: Array<{ customer_number: string; customer_name: string; caption?: string }> = [];

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 2 } });
  tap = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') sent.push(JSON.parse(body.toString('utf8')));
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'x-api-key', 'x-api-secret']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      fetch(`${sandbox.url}${req.url}`, { method: req.method, headers, body: req.method === 'POST' ? body : undefined })
        .then(async (up) => {
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await up.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: `http://127.0.0.1:${(tap.address() as AddressInfo).port}`,
    workers: 1,
    env: { DEFAULT_COUNTRY_CODE: '91' },
    workerEnv: { SEND_RATE: '2000' },
  });
  image = `${sandbox.url}/images/sample.jpg`;
});

afterAll(async () => {
  await sys?.close();
  await new Promise((resolve) => tap?.close(resolve));
  await sandbox?.close();
  await redis?.close();
});

beforeEach(() => {
  sandbox.reset();
  sent = [];
});

const crlfBom = (...lines: string[]) => `\uFEFF${lines.join('\r\n')}\r\n`;

/** A download's exact text: `Response.text()` would drop the BOM this test looks for. */
async function download(path: string): Promise<string> {
  const bytes = Buffer.from(await (await sys.api(path)).arrayBuffer());
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

async function multipart(query: string, fields: Record<string, string>, file: Buffer, filename: string, type: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file], { type }), filename);
  const res = await sys.api(`/v1/campaigns${query}`, { method: 'POST', body: form });
  return { status: res.status, body: await json(res) };
}

test('mangled numbers: only numbers that were in the file reach the API; errors carry row and line', async () => {
  const file = crlfBom(
    'Phone Number,Customer Name',
    '919970000022.0,अनिता शर्मा', // line 2: Excel's float of the number
    '919970000702.5,Decimal', // 3
    '9.19970E+11,Scientific', // 4
    "'919970000033,Apostrophe", // 5
    '',
    '919970000044 / 919970000045,Two numbers', // 7
    '910000000000,Outside the plan', // 8
    '"919970000055","Name on',
    'two lines"', // 9–10
    '09970000066,محمد 🎉', // 11: national, DEFAULT_COUNTRY_CODE 91
  );
  const up = await sys.upload(file, { image_url: image });
  expect(up.status).toBe(202);
  expect(up.body).toMatchObject({ total: 8, accepted: 3, rejected: 5, duplicates: 0 });
  expect(up.body.columns).toMatchObject({ customer_number: 'Phone Number', customer_name: 'Customer Name' });
  expect(up.body.errors.map((e: { row: number; line: number }) => [e.row, e.line])).toEqual([
    [2, 3],
    [3, 4],
    [4, 5],
    [5, 7],
    [6, 8],
  ]);
  expect(up.body.errors[1].message).toMatch(/^Excel turned this number into 9\.19970E\+11/);
  expect(up.body.errors[4].message).toContain('India (IN)');

  await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(Object.keys(sandbox.stats().byNumber).sort()).toEqual(['919970000022', '919970000055', '919970000066']);
  expect(sent.map((m) => m.customer_number).sort()).toEqual(['919970000022', '919970000055', '919970000066']);

  const report = await download(`/v1/campaigns/${up.body.id}/report?format=csv`);
  expect(report.startsWith('\uFEFFcustomer_number,customer_name,')).toBe(true);
  expect(report).toContain('\r\n919970000022,अनिता शर्मा,sent,wamid.');
  expect(report).toContain('\r\n919970000066,محمد 🎉,sent,wamid.');
  const rejected = await download(`/v1/campaigns/${up.body.id}/rejected?format=csv`);
  const lines = rejected.split('\r\n');
  // The upload's own columns and cells (so the file can be fixed and uploaded again), then line,field,message.
  expect(lines[0]).toBe('\uFEFFPhone Number,Customer Name,line,field,message');
  expect(lines[1]).toMatch(/^919970000702\.5,Decimal,3,customer_number,"is a number with a decimal part/);
});

test('a CRM export with Customer Number and Mobile is refused until phone_column says which', async () => {
  const crm = crlfBom(
    'Customer Number,Customer Name,Mobile',
    '100045678,Asha,919970000101',
    '100045679,Bala,919970000102',
  );
  const refused = await sys.upload(crm, { image_url: image });
  expect(refused.status).toBe(400);
  expect(refused.body.error).toMatchObject({
    code: 'AMBIGUOUS_PHONE_COLUMN',
    details: { candidates: ['Customer Number', 'Mobile'] },
  });
  const list = await json(await sys.api('/v1/campaigns'));
  expect(JSON.stringify(list)).not.toContain('100045678');

  const up = await sys.upload(crm, { image_url: image, phone_column: 'Mobile' });
  expect(up.status).toBe(202);
  expect(up.body.columns).toEqual({
    customer_number: 'Mobile',
    customer_name: 'Customer Name',
    url: null,
    mime_type: null,
    caption: null,
    timezone: null,
  });
  await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(Object.keys(sandbox.stats().byNumber).sort()).toEqual(['919970000101', '919970000102']);
});

test('Excel "Unicode Text" (UTF-16 LE, tabs) is read, names intact', async () => {
  const text = 'Mobile No.\tName\r\n919970000201\tअनिता\r\n919970000202\tمحمد\r\n';
  const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const res = await sys.api(`/v1/campaigns?image_url=${encodeURIComponent(image)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body,
  });
  const up = await json(res);
  expect(res.status).toBe(202);
  await sys.waitForCampaign(up.id, (c) => c.status === 'completed');
  expect(sent.map((m) => [m.customer_number, m.customer_name]).sort()).toEqual([
    ['919970000201', 'अनिता'],
    ['919970000202', 'محمد'],
  ]);
});

test(
  'an .xlsx sent as "list.csv" with ?dry_run=true previews rendered captions; ' + 'sent, each row gets its own',
  async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Sheet1');
    sheet.addRow(['WhatsApp Number', 'Name', 'City']);
    for (let i = 1; i <= 7; i++) sheet.addRow([919970000300 + i, `Name ${i}`, i % 2 ? `City ${i}` : null]);
    const xlsx = Buffer.from(await book.xlsx.writeBuffer());
    const fields = { image_url: image, caption: 'Hi {{name}} from {{city|India}}' };

    // The page's "Dry run" box puts dry_run in the query string of a multipart upload.
    const dry = await multipart('?dry_run=true', fields, xlsx, 'list.csv', 'text/csv');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, total: 7, accepted: 7 });
    expect(dry.body.preview.map((m: { caption: string }) => m.caption)).toEqual([
      'Hi Name 1 from City 1',
      'Hi Name 2 from India',
      'Hi Name 3 from City 3',
      'Hi Name 4 from India',
      'Hi Name 5 from City 5',
    ]);
    expect(sent).toEqual([]);

    const unknown = await multipart('', { ...fields, caption: 'Hi {{nickname}}' }, xlsx, 'list.xlsx', 'text/csv');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UNKNOWN_VARIABLE');
    expect(unknown.body.error.message).toContain('{{nickname}}');

    const up = await multipart('', fields, xlsx, 'list.xlsx', 'application/octet-stream');
    expect(up.status).toBe(202);
    await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
    const byNumber = new Map(sent.map((m) => [m.customer_number, m.caption]));
    expect(byNumber.size).toBe(7);
    expect(byNumber.get('919970000301')).toBe('Hi Name 1 from City 1');
    expect(byNumber.get('919970000302')).toBe('Hi Name 2 from India');
  },
);

test('a PDF is refused saying what it is', async () => {
  const res = await multipart('', { image_url: image }, Buffer.from('%PDF-1.7\n1 0 obj\n'), 'list.csv', 'text/csv');
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual({
    code: 'UNPARSEABLE',
    message: expect.stringMatching(/^this is a PDF file: save it as CSV UTF-8/),
  });
});

test('POST /v1/messages fills {{variables}} from "variables"; a missing one is a 400 naming it', async () => {
  const message = {
    customer_number: '919970000401',
    customer_name: 'Asha',
    url: image,
    caption: 'Order {{order_id}} for {{name|you}} is ready',
  };
  const bad = await sys.api('/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(await json(bad))).toContain('{{order_id}}');

  const ok = await sys.api('/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...message, variables: { order_id: 'A-17', Name: 'Asha' } }),
  });
  expect(ok.status).toBe(202);
  await waitFor(() => sent.find((m) => m.customer_number === '919970000401'), { timeoutMs: 20_000, what: 'the send' });
  expect(sent.find((m) => m.customer_number === '919970000401')?.caption).toBe('Order A-17 for Asha is ready');
});
