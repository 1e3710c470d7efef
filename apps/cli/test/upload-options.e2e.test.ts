/**
 * Every upload option of the API as a `sobot upload` flag (issue 24), one test each: the CLI in-process (runCli
 * with the test's own streams) against the real producer and a worker as processes (devkit startSystem), the
 * sandbox on loopback. Each test shows the option reached the API by what the API answers or the campaign shows.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CampaignView, UploadResult } from '@sobot/client';
import { startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { runCli } from '../src/program';

/** Numbers the sandbox answers 131047 (outside the 24-hour window): every send to them fails. */
const CLOSED_PREFIX = '918880';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let image: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sobot-cli-options-'));
  redis = await startTestRedis();
  sandbox = await startSandbox({
    apiKey: 'test-key',
    apiSecret: 'test-secret',
    faults: { latencyMs: 1, closedNumbers: [`${CLOSED_PREFIX}*`] },
  });
  image = `${sandbox.url}/images/sample.jpg`;
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    env: { LOG_LEVEL: 'warn' },
    workerEnv: { SEND_RATE: '1000', WORKER_CONCURRENCY: '16', MAX_ATTEMPTS: '1' },
  });
}, 90_000);

afterAll(async () => {
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sobot(...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runCli(['node', 'sobot', '--api', sys.url, '--token', sys.token, '--json', ...args], {
    stdout: out,
    stderr: err,
    env: {},
  });
  return { code, stdout, stderr };
}

let files = 0;
async function csv(lines: string[]): Promise<string> {
  const path = join(dir, `list-${++files}.csv`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** A list of `n` new numbers (each test its own, so no upload is a duplicate of another). */
let next = 0;
function numbers(n: number, prefix = '91997031'): string[] {
  return Array.from({ length: n }, () => `${prefix}${String(++next).padStart(4, '0')}`);
}
const plain = async () => csv(['phone,name', ...numbers(2).map((n, i) => `${n},P${i}`)]);

async function upload(file: string, ...flags: string[]) {
  const run = await sobot('upload', file, '--image-url', image, ...flags);
  if (flags.includes('--canary')) expect(run.stderr).toBe('');
  return { ...run, result: run.code === 0 ? (JSON.parse(run.stdout) as UploadResult) : undefined };
}
async function status(id: string): Promise<CampaignView> {
  const run = await sobot('status', id);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as CampaignView;
}
/** Scheduled a day ahead: the campaign stays as uploaded while the test reads it. */
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
const apiError = (stderr: string) => (JSON.parse(stderr) as { error: { code: string; status: number } }).error;

test('--phone-column chooses among several phone columns', async () => {
  const [a, b] = numbers(2);
  const file = await csv(['Customer Number,Mobile,name', `${a},${b},Ann`]);
  const refused = await upload(file, '--dry-run');
  expect(refused.code).toBe(3);
  expect(apiError(refused.stderr).code).toBe('AMBIGUOUS_PHONE_COLUMN');
  const { result } = await upload(file, '--dry-run', '--phone-column', 'Mobile');
  expect(result?.columns?.customer_number).toBe('Mobile');
  expect(result?.preview?.[0]?.customer_number).toBe(b);
});

test('--name-column chooses the name column', async () => {
  const file = await csv(['phone,name,Full Name', `${numbers(1)[0]},Ann,Ann Lee`]);
  const { result } = await upload(file, '--dry-run', '--name-column', 'Full Name');
  expect(result?.columns?.customer_name).toBe('Full Name');
  expect(result?.preview?.[0]?.customer_name).toBe('Ann Lee');
});

test('--header-row names the line of the header; the answer says which line was used', async () => {
  const file = await csv(['phone,mobile', 'Export of March', 'phone,name', `${numbers(1)[0]},Ann`]);
  expect(apiError((await upload(file, '--dry-run')).stderr).code).toBe('AMBIGUOUS_PHONE_COLUMN');
  const { result } = await upload(file, '--dry-run', '--header-row', '3');
  expect(result).toMatchObject({ header_row: 3, total: 1, accepted: 1 });
});

test('--send-at schedules the campaign', async () => {
  const at = tomorrow();
  const { result } = await upload(await plain(), '--send-at', at);
  expect(result?.status).toBe('scheduled');
  const view = await status(result!.id);
  expect([view.status, Date.parse(view.send_at!)]).toEqual(['scheduled', Date.parse(at)]);
  await sobot('cancel', result!.id);
});

test('--quiet-hours sets the campaign quiet hours', async () => {
  const { result } = await upload(await plain(), '--send-at', tomorrow(), '--quiet-hours', '21:00-09:00');
  expect((await status(result!.id)).quiet_hours).toBe('21:00-09:00');
  await sobot('cancel', result!.id);
});

test('--window skip: the 24-hour-window rule (409 NO_INBOUND_EVENTS, unless --force)', async () => {
  const file = await plain();
  const refused = await upload(file, '--window', 'skip');
  expect(refused.code).toBe(3);
  expect(apiError(refused.stderr)).toMatchObject({ status: 409, code: 'NO_INBOUND_EVENTS' });
  const { result } = await upload(file, '--window', 'skip', '--force', '--send-at', tomorrow());
  expect((await status(result!.id)).window).toBe('skip');
  await sobot('cancel', result!.id);
});

test('--weight sets the share of the bulk rate', async () => {
  const { result } = await upload(await plain(), '--weight', '7', '--send-at', tomorrow());
  expect((await status(result!.id)).weight).toBe(7);
  await sobot('cancel', result!.id);
});

test('--lane transactional puts the upload in the transactional lane', async () => {
  const { result } = await upload(await plain(), '--lane', 'transactional', '--send-at', tomorrow());
  expect((await status(result!.id)).lane).toBe('transactional');
  await sobot('cancel', result!.id);
});

test("--country reads bare numbers in the list's country", async () => {
  const file = await csv(['phone,name', '81234567,Sg']);
  const { result } = await upload(file, '--dry-run', '--country', 'SG');
  expect(result).toMatchObject({ country: 'SG', country_source: 'option', accepted: 1 });
  expect(result?.preview?.[0]?.customer_number).toBe('6581234567');
});

test('--strict refuses the whole file for one bad row', async () => {
  const file = await csv(['phone,name', `${numbers(1)[0]},Ann`, '12,Bad']);
  const run = await upload(file, '--strict');
  expect(run.code).toBe(3);
  expect(apiError(run.stderr).code).toBe('STRICT_REJECTED');
});

test('--dry-run stores nothing', async () => {
  const { result } = await upload(await plain(), '--dry-run');
  expect(result).toMatchObject({ dry_run: true, accepted: 2, id: '' });
});

test('--preflight checks the image before the list is accepted', async () => {
  const file = await plain();
  const missing = `${sandbox.url}/images/missing.jpg`;
  expect((await sobot('upload', file, '--image-url', missing, '--dry-run')).code).toBe(0);
  const run = await sobot('upload', file, '--image-url', missing, '--dry-run', '--preflight');
  expect(run.code).toBe(3);
  expect(apiError(run.stderr).status).toBe(400);
});

test('--sender and --senders name the senders; one no worker has is 400 UNKNOWN_SENDER', async () => {
  const file = await plain();
  // The worker registers its senders (here the one `default`) as it starts: until then any name is taken.
  const refused = await waitFor(
    async () => {
      const run = await upload(file, '--dry-run', '--sender', 'nope');
      return run.code === 3 ? run : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'the worker to register its senders' },
  );
  expect(apiError(refused.stderr).code).toBe('UNKNOWN_SENDER');
  expect((await upload(file, '--dry-run', '--sender', 'default')).result).toMatchObject({ accepted: 2 });
  const both = await upload(file, '--dry-run', '--senders', 'default,other');
  expect([both.code, apiError(both.stderr).code]).toEqual([3, 'UNKNOWN_SENDER']);
  expect(both.stderr).toContain('other');
  expect((await upload(file, '--dry-run', '--senders', 'default')).code).toBe(0);
});

describe('canary', () => {
  // 250 recipients, every third one answered 131047: the first chunk (200, the canary) has 67 failures (33.5%).
  const closedList = () => {
    const open = numbers(250);
    const closed = numbers(250, `${CLOSED_PREFIX}40`);
    return csv(['phone,name', ...open.map((n, i) => `${i % 3 === 0 ? closed[i] : n},C`)]);
  };
  const until = async (id: string, done: (v: CampaignView) => boolean, what: string) =>
    waitFor(
      async () => {
        const v = await status(id);
        return done(v) ? v : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what },
    );

  test('--canary pauses a campaign whose first messages fail more than the default 20%', async () => {
    const { result } = await upload(await closedList(), '--canary', '200');
    const view = await until(result!.id, (v) => v.status === 'paused', 'the canary to pause the campaign');
    expect(view.paused_reason).toMatch(/canary/);
    expect(view.counts).toMatchObject({ failed: 67, pending: 50 });
    await sobot('cancel', result!.id);
  });

  test('--canary-max-failure-ratio lets a canary with that many failures pass', async () => {
    const { result } = await upload(await closedList(), '--canary', '200', '--canary-max-failure-ratio', '0.5');
    const view = await until(result!.id, (v) => v.status === 'completed', 'the campaign to complete');
    expect(view.counts).toMatchObject({ sent: 166, failed: 84, pending: 0 });
    // The API says what 131047 means and what to do (one reasons table: @sobot/schema reasons.ts).
    expect(view.failure_reasons).toEqual([
      expect.objectContaining({ code: '131047', count: 84, error_hint: expect.stringMatching(/template message/) }),
    ]);
  });
});

describe('rejected rows', () => {
  /** A list with a title line, one good row and two bad ones (a short number; a missing name). */
  async function listWithFaults() {
    const [good, short, noName] = numbers(3);
    const file = await csv([
      'Customer export, March',
      'Name,Phone Number,City',
      `Ann,+${good},Pune`,
      `Bo,${short!.slice(0, 5)},Delhi`,
      `,+${noName},Goa`,
    ]);
    const { result } = await upload(file);
    expect(result).toMatchObject({ header_row: 2, accepted: 1, rejected: 2 });
    expect(result!.errors.map((e) => [e.row, e.line, e.field])).toEqual([
      [2, 4, 'customer_number'],
      [3, 5, 'customer_name'],
    ]);
    return { id: result!.id, short: short!, noName: noName! };
  }

  test('the CSV download has the upload’s own cells plus line,field,message; fixed, it uploads as it is', async () => {
    const { id, short, noName } = await listWithFaults();
    const out = join(dir, 'rejected.csv');
    expect((await sobot('rejected', id, '-o', out)).code).toBe(0);
    const text = await readFile(out, 'utf8');
    const lines = text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('Name,Phone Number,City,line,field,message');
    expect(lines[1]).toMatch(new RegExp(`^Bo,${short.slice(0, 5)},Delhi,4,customer_number,`));
    // A number written with + stays as written (no leading ' that would make the fixed file's row an error).
    expect(lines[2]).toMatch(new RegExp(`^,\\+${noName},Goa,5,customer_name,`));
    expect(lines).toHaveLength(3);

    const fixed = join(dir, 'fixed.csv');
    await writeFile(
      fixed,
      text.replace(`Bo,${short.slice(0, 5)},`, `Bo,${short},`).replace(`\r\n,+${noName}`, `\r\nCy,+${noName}`),
    );
    const { result } = await upload(fixed, '--dry-run');
    expect(result).toMatchObject({ header_row: 1, total: 2, accepted: 2, rejected: 0 });
    expect(result!.columns).toMatchObject({ customer_number: 'Phone Number', customer_name: 'Name', caption: null });
  });

  test('the .xlsx download too: fixed in the workbook, it uploads as it is', async () => {
    const { id, short, noName } = await listWithFaults();
    const out = join(dir, 'rejected.xlsx');
    expect((await sobot('rejected', id, '-o', out)).code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const sheet = book.worksheets[0]!;
    const values = (r: number) =>
      Array.from({ length: 6 }, (_, c) => String(sheet.getRow(r).getCell(c + 1).value ?? ''));
    expect(values(1)).toEqual(['Name', 'Phone Number', 'City', 'line', 'field', 'message']);
    expect(values(2).slice(0, 5)).toEqual(['Bo', short.slice(0, 5), 'Delhi', '4', 'customer_number']);
    expect(values(3).slice(0, 5)).toEqual(['', `+${noName}`, 'Goa', '5', 'customer_name']);
    sheet.getCell('B2').value = short;
    sheet.getCell('A3').value = 'Cy';
    const fixed = join(dir, 'fixed.xlsx');
    await book.xlsx.writeFile(fixed);
    const { result } = await upload(fixed, '--dry-run');
    expect(result).toMatchObject({ total: 2, accepted: 2, rejected: 0 });
  });
});
