/**
 * SPEC §20 and §22 over real HTTP, with the producer as a real process: a workbook bomb is 413 WORKBOOK_TOO_LARGE
 * and the producer answers the next request; no upload leaves a temp file (raw body or multipart, refused or not);
 * what a killed producer left is swept at start; a dry run of an .xlsx shows its dates as the sheet does and counts
 * the rows that render a caption variable empty.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  freePort,
  spawnApp,
  startTestRedis,
  waitFor,
  waitForHttp,
  workbookParts,
  zipOf,
  type AppProcess,
  type TestRedis,
} from '@sobot/devkit';

const TOKEN = 'workbook-test-token';
const MIB = 2 ** 20;
const IMAGE = encodeURIComponent('https://cdn.example.com/a.jpg');
let redis: TestRedis;
let proc: AppProcess;
let base: string;
let temp: string;

beforeAll(async () => {
  redis = await startTestRedis();
  temp = mkdtempSync(join(tmpdir(), 'workbook-e2e-'));
  // Left by a producer killed mid-upload, an hour before this one starts.
  const old = join(temp, 'sobot-upload-killed');
  mkdirSync(old);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(old, hourAgo, hourAgo);
  const port = await freePort();
  proc = spawnApp('producer', {
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: TOKEN,
    LOG_LEVEL: 'warn',
    TMPDIR: temp,
    MAX_XLSX_EXPANDED_BYTES: String(16 * MIB),
    MAX_XLSX_SHARED_STRINGS: String(4 * MIB),
  });
  base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/readyz`, 60_000);
});

afterAll(async () => {
  await proc?.stop('SIGKILL');
  await redis?.close();
  if (temp) rmSync(temp, { recursive: true, force: true });
});

/** Upload temp directories (tsx keeps a cache of its own in TMPDIR). */
const uploadDirs = () => readdirSync(temp).filter((name) => name.startsWith('sobot-upload-'));

async function upload(body: Buffer | FormData, query = '') {
  const res = await fetch(`${base}/v1/campaigns?image_url=${IMAGE}${query}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(Buffer.isBuffer(body) ? { 'content-type': 'application/octet-stream' } : {}),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c><c r="B1" t="s"><v>0</v></c></row>';
/** 5,000 shared strings of 1 KiB: 5 MiB of table from a zip of a few KiB. */
const bomb = () =>
  zipOf(
    workbookParts(
      header,
      Array.from({ length: 5000 }, (_, i) => `${i}`.padEnd(1024, 'x')),
    ),
  );

test('the start swept what a killed producer left in the temp directory', async () => {
  await waitFor(() => uploadDirs().length === 0, { what: 'the sweep at start' });
});

test('a shared-strings bomb is 413 WORKBOOK_TOO_LARGE; the next request is answered; no temp file stays', async () => {
  const book = bomb();
  expect(book.length).toBeLessThan(100 * 1024);
  const first = await upload(book);
  expect(first.status).toBe(413);
  expect(first.body.error?.code).toBe('WORKBOOK_TOO_LARGE');
  expect(JSON.stringify(first.body)).toMatch(/MAX_XLSX_SHARED_STRINGS/);

  // Multipart with the file before any field: spooled by the route, then refused the same way.
  const form = new FormData();
  form.append('file', new Blob([book]), 'bomb.xlsx');
  const second = await upload(form);
  expect(second.status).toBe(413);
  expect(second.body.error?.code).toBe('WORKBOOK_TOO_LARGE');

  const ok = await fetch(`${base}/v1/campaigns`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(ok.status).toBe(200);
  expect(uploadDirs()).toEqual([]);
  expect(proc.child.exitCode).toBeNull();
});

test('a dry run shows dates as the sheet does and counts rows that render a variable empty', async () => {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('List');
  sheet.addRow(['Phone', 'Name', 'City', 'Since']);
  for (const [phone, name, city] of [
    [919970000001, 'Lalit', 'Pune'],
    [919970000002, 'Asha', ''],
    [919970000003, 'Bala', null],
  ] as const) {
    const row = sheet.addRow([phone, name, city, new Date(Date.UTC(2024, 2, 1))]);
    row.getCell(4).numFmt = 'dd-mm-yyyy';
  }
  const book = Buffer.from(await wb.xlsx.writeBuffer());
  const caption = encodeURIComponent('Hi {{name}} from {{city}}, with us since {{since}}!');
  const res = await upload(book, `&dry_run=true&caption=${caption}`);
  expect(res.status).toBe(200);
  expect(res.body.empty_variables).toEqual({ city: 2 });
  expect((res.body.preview as Array<{ caption: string }>).map((p) => p.caption)).toEqual([
    'Hi Lalit from Pune, with us since 01-03-2024!',
    'Hi Asha from , with us since 01-03-2024!',
    'Hi Bala from , with us since 01-03-2024!',
  ]);
  // A workbook refused for its columns leaves nothing either.
  const ambiguous = new ExcelJS.Workbook();
  ambiguous.addWorksheet('List').addRow(['Mobile', 'Customer Number']);
  const refused = await upload(Buffer.from(await ambiguous.xlsx.writeBuffer()));
  expect(refused.status).toBe(400);
  expect(refused.body.error?.code).toBe('AMBIGUOUS_PHONE_COLUMN');
  expect(uploadDirs()).toEqual([]);
});
