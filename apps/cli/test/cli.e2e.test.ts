/**
 * The `sobot` CLI as a user runs it: a child process (`node --import tsx apps/cli/src/main.ts`, and once the
 * bin shim) against a real system (devkit `startSystem`: the producer and a worker as processes, a Redis of
 * the test's own, the sandbox over loopback). Assertions are on exit codes, what the CLI printed, what the
 * sandbox received, and the report file.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { CampaignView, UploadResult } from '@sobot/client';
import { REPO_ROOT, startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';

/** The report's columns, in order (SPEC §5). */
const REPORT_HEADER =
  'customer_number,customer_name,status,wamid,error_code,error_message,attempts,updated_at,delivery_status';
/** Numbers the sandbox treats as outside the 24-hour window: sends to them fail permanently. */
const CLOSED_PREFIX = '918880';

let testRedis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let api: string;
let token: string;
let image: string;
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (`entry` relative to the repository root) and collects what it printed. */
function sobot(args: string[], opts: { env?: Record<string, string>; entry?: string[] } = {}): Promise<Run> {
  const entry = opts.entry ?? ['--import', 'tsx', 'apps/cli/src/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SOBOT_BULK_API: api, SOBOT_BULK_TOKEN: token, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function csvFile(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sobot-cli-'));
  testRedis = await startTestRedis();
  sandbox = await startSandbox({
    apiKey: 'test-key',
    apiSecret: 'test-secret',
    faults: { latencyMs: 5, closedNumbers: [`${CLOSED_PREFIX}*`] },
  });
  image = `${sandbox.url}/images/sample.jpg`;
  sys = await startSystem({
    redisUrl: testRedis.url,
    prefix: testRedis.prefix,
    sobotUrl: sandbox.url,
    env: { LOG_LEVEL: 'warn' },
    workerEnv: { SEND_RATE: '200', WORKER_CONCURRENCY: '8', MAX_ATTEMPTS: '2' },
  });
  api = sys.url;
  token = sys.token;
}, 90_000);

afterAll(async () => {
  await sys?.close();
  await sandbox?.close();
  await testRedis?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let uploaded: UploadResult | undefined;
const numbers = ['919970100001', '919970100002', '919970100003', '919970100004'];

test('upload --watch sends every number once, shows the row errors and exits 0', async () => {
  sandbox.reset();
  const file = await csvFile('customers.csv', [
    'phone,name',
    ...numbers.map((n, i) => `${n},Customer ${i + 1}`),
    '12345,Too Short',
    `+${numbers[0]},Same as row 1`,
  ]);
  const run = await sobot([
    '--json',
    'upload',
    file,
    '--image-url',
    image,
    '--caption',
    'Hello',
    '--watch',
    '--interval',
    '200',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout) as UploadResult & { campaign: CampaignView };
  expect(out).toMatchObject({ name: 'customers.csv', total: 6, accepted: 4, rejected: 1, duplicates: 1 });
  expect(out.errors).toEqual([expect.objectContaining({ row: 5, field: 'customer_number' })]);
  expect(out.campaign).toMatchObject({
    id: out.id,
    status: 'completed',
    counts: { total: 4, sent: 4, failed: 0, pending: 0 },
  });
  uploaded = out;

  const stats = sandbox.stats();
  expect(Object.keys(stats.byNumber).sort()).toEqual(numbers);
  expect(Object.values(stats.byNumber)).toEqual([1, 1, 1, 1]);
});

test('human upload output: counts, the first row errors, progress lines off a terminal, a summary', async () => {
  const file = await csvFile('human.csv', [
    'phone,name',
    '919970200001,Ann',
    'abc,Bad',
    '919970200002,',
    '919970200003,Cy',
  ]);
  // Slow answers: the first poll, right after the upload, sees the campaign before it ends.
  sandbox.setFaults({ latencyMs: 1500 });
  const run = await sobot(['upload', file, '--image-url', image, '--watch', '--interval', '200']).finally(() =>
    sandbox.setFaults({ latencyMs: 5 }),
  );
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^campaign c[0-9a-z]{15} "human\.csv" queued$/m);
  expect(run.stdout).toContain('rows: 4 read, 2 accepted, 2 rejected, 0 duplicates');
  // Rows by the line a spreadsheet shows: the header is line 1, data row 2 is line 3.
  expect(run.stdout).toMatch(/^LINE\s+FIELD\s+MESSAGE$/m);
  expect(run.stdout).toMatch(/^3\s+customer_number\s+/m);
  expect(run.stdout).toMatch(/^4\s+customer_name\s+/m);
  expect(run.stdout).toMatch(/^\[\d\d:\d\d:\d\d\] (queued|running) \d\/2/m);
  expect(run.stdout).toMatch(/^c[0-9a-z]{15} completed.*: 2 sent, 0 failed of 2$/m);
});

test('report -o writes a CSV with the header and one row per recipient', async () => {
  expect(uploaded).toBeDefined();
  const id = uploaded!.id;
  const dest = join(dir, 'report.csv');
  const run = await sobot(['report', id, '-o', dest]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`to ${dest}`);
  const text = await readFile(dest, 'utf8');
  // Opens right in Excel (a UTF-8 BOM) and reads back in a program: numbers are the plain digits (SPEC §17).
  expect(text.startsWith('\uFEFF')).toBe(true);
  const lines = text.slice(1).trimEnd().split('\r\n');
  expect(lines[0]).toBe(REPORT_HEADER);
  expect(lines).toHaveLength(1 + numbers.length);
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(rows.map((r) => r[0])).toEqual(numbers);
  expect(rows.every((r) => r[2] === 'sent' && r[3]!.startsWith('wamid.'))).toBe(true);

  const stdout = await sobot(['report', id, '--format', 'ndjson']);
  expect(stdout.code).toBe(0);
  expect(
    stdout.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { customer_number: string }).customer_number),
  ).toEqual(numbers);
});

test('report -o file.xlsx writes a workbook (format from the name); xlsx to stdout is a usage error', async () => {
  const id = uploaded!.id;
  const dest = join(dir, 'report.xlsx');
  const run = await sobot(['report', id, '-o', dest]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`wrote the xlsx report of ${id} to ${dest}`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(dest);
  const sheet = book.worksheets[0]!;
  expect((sheet.getRow(1).values as unknown[]).slice(1).join(',')).toBe(REPORT_HEADER);
  expect(sheet.getColumn(1).values.slice(2)).toEqual(numbers);

  const explicit = await sobot(['report', id, '--format', 'xlsx', '-o', join(dir, 'report.bin')]);
  expect(explicit.code).toBe(0);
  expect((await readFile(join(dir, 'report.bin'))).subarray(0, 2).toString('latin1')).toBe('PK');

  const toStdout = await sobot(['report', id, '--format', 'xlsx']);
  expect(toStdout.code).toBe(2);
  expect(toStdout.stderr).toContain('an xlsx report is a file: give -o <file>.xlsx');
});

test('--json list returns the campaigns as JSON; status prints counts', async () => {
  const run = await sobot(['--json', 'list']);
  expect(run.code).toBe(0);
  const list = JSON.parse(run.stdout) as CampaignView[];
  expect(list.map((c) => c.id)).toContain(uploaded!.id);

  const status = await sobot(['status', uploaded!.id]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`${uploaded!.id}  "customers.csv"  completed`);
  expect(status.stdout).toContain('sent 4 · failed 0 · skipped 0 · pending 0');
});

test('list pages: --limit, the next --cursor on stderr, --status, --all', async () => {
  const sendAt = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled: string[] = [];
  for (const n of ['919970500001', '919970500002']) {
    const up = await sys.upload(`phone,name\n${n},Later\n`, { image_url: image, send_at: sendAt, name: 'later' });
    expect(up.status).toBe(202);
    scheduled.unshift(up.body.id as string);
  }
  const api = (await (await sys.api('/v1/campaigns?limit=200')).json()) as { campaigns: CampaignView[] };
  const everyId = api.campaigns.map((c) => c.id);
  expect(everyId.slice(0, 2)).toEqual(scheduled);

  const first = await sobot(['list', '--limit', '1']);
  expect(first.code).toBe(0);
  expect(first.stdout.trim().split('\n')).toHaveLength(2); // header + one campaign
  expect(first.stdout).toContain(scheduled[0]);
  const cursor = /--cursor (\S+)$/m.exec(first.stderr)?.[1];
  expect(cursor).toBeDefined();
  const second = await sobot(['--json', 'list', '--limit', '1', '--cursor', cursor!]);
  expect((JSON.parse(second.stdout) as CampaignView[]).map((c) => c.id)).toEqual([scheduled[1]]);

  const onlyScheduled = await sobot(['--json', 'list', '--status', 'scheduled']);
  expect((JSON.parse(onlyScheduled.stdout) as CampaignView[]).map((c) => [c.id, c.status, c.send_at])).toEqual(
    scheduled.map((id) => [id, 'scheduled', sendAt]),
  );
  const all = await sobot(['--json', 'list', '--all', '--limit', '1']);
  expect(all.code).toBe(0);
  expect((JSON.parse(all.stdout) as CampaignView[]).map((c) => c.id)).toEqual(everyId);
  const done = await sobot(['--json', 'list', '--all', '--status', 'completed']);
  const completed = JSON.parse(done.stdout) as CampaignView[];
  expect(completed.map((c) => c.id)).toContain(uploaded!.id);
  expect(completed.every((c) => c.status === 'completed')).toBe(true);

  const bad = await sobot(['list', '--status', 'bogus']);
  expect(bad.code).toBe(3);
  expect(bad.stderr).toContain('400 INVALID_REQUEST');
});

test('a wrong token exits 4 and is never printed', async () => {
  const run = await sobot(['list', '--token', 'wrong-secret-token']);
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('401 UNAUTHORIZED');
  expect(run.stdout + run.stderr).not.toContain('wrong-secret-token');
  expect(run.stdout + run.stderr).not.toContain(token);
});

test('an unknown campaign exits 5', async () => {
  const run = await sobot(['status', 'czzzzzzzzzzzzzzz']);
  expect(run.code).toBe(5);
  expect(run.stderr).toContain('404 NOT_FOUND');
});

test('a file without a phone column exits 3 with the API message, and leaves no campaign', async () => {
  const before = await sobot(['--json', 'list']);
  const file = await csvFile('no-phone.csv', ['name,city', 'Ann,Pune']);
  const run = await sobot(['upload', file, '--image-url', image]);
  expect(run.code).toBe(3);
  expect(run.stderr).toContain('no phone number column');
  expect(run.stderr).toContain('400 NO_PHONE_COLUMN');
  const after = await sobot(['--json', 'list']);
  expect(JSON.parse(after.stdout)).toHaveLength((JSON.parse(before.stdout) as unknown[]).length);
});

test('--country reads bare numbers in that country and the summary says where the numbers are from', async () => {
  const file = await csvFile('bare.csv', ['phone,name', '919970400001,Coded', '6581234567,Bare']);
  const asked = await sobot(['upload', file, '--image-url', image, '--dry-run', '--country', 'IN']);
  expect(asked.code).toBe(0);
  expect(asked.stdout).toContain('countries: IN 2 (bare numbers read in IN, as asked)');

  const inferred = await sobot(['upload', file, '--image-url', image, '--dry-run']);
  expect(inferred.stdout).toContain('countries: IN 1 (bare numbers read in IN, inferred from the file)');
  expect(inferred.stdout).toMatch(/reads two ways .*Singapore \(SG\) \+65 8123 4567, or India \(IN\)/);

  const unknown = await sobot(['upload', file, '--image-url', image, '--country', 'XX']);
  expect(unknown.code).toBe(3);
  expect(unknown.stderr).toContain('400 UNKNOWN_COUNTRY');
});

test('a campaign that ends with failures makes --watch exit 6', async () => {
  const file = await csvFile('closed.csv', ['phone,name', '919970300001,Open', `${CLOSED_PREFIX}000001,Closed`]);
  const run = await sobot(['upload', file, '--image-url', image, '--watch', '--interval', '200']);
  expect(run.code).toBe(6);
  expect(run.stdout).toMatch(/completed.*: 1 sent, 1 failed of 2/);
  // 131047 is permanent: retry-failed leaves it and says why; --all takes it.
  const id = /campaign (c[0-9a-z]{15})/.exec(run.stdout)![1]!;
  const kept = await sobot(['retry-failed', id]);
  expect(kept.code).toBe(0);
  expect(kept.stdout).toContain(`${id}: 0 failed recipient(s) back to pending; completed`);
  expect(kept.stdout).toContain('left 1: permanent (the upstream refused the message) — 131047 ×1');
  expect(kept.stdout).toContain('--all sends those too');
  const all = await sobot(['retry-failed', id, '--all']);
  expect(all.stdout).toContain(`${id}: 1 failed recipient(s) back to pending`);
  expect(all.stdout).not.toContain('left');
});

test('send: one message, the same idempotency key never sends twice', async () => {
  sandbox.reset();
  const args = [
    '--json',
    'send',
    '919970400001',
    '--name',
    'Solo',
    '--image-url',
    image,
    '--idempotency-key',
    'cli-test-1',
  ];
  const first = await sobot(args);
  expect(first.code).toBe(0);
  const again = await sobot(args);
  expect(again.code).toBe(0);
  const [a, b] = [first, again].map(
    (r) => JSON.parse(r.stdout) as { campaign_id: string; ids: string[]; replayed: boolean },
  );
  expect(b).toEqual({ ...a, replayed: true });
  await waitFor(() => sandbox.stats().byNumber['919970400001'], { what: 'the message to arrive' });
  const message = await sobot(['--json', 'message', a!.ids[0]!]);
  expect(JSON.parse(message.stdout)).toMatchObject({ id: a!.ids[0], customer_number: '919970400001' });
  expect(sandbox.stats().byNumber).toEqual({ '919970400001': 1 });

  const invalid = await sobot(['send', '12345', '--name', 'Short', '--image-url', image]);
  expect(invalid.code).toBe(3);
  expect(invalid.stderr).toContain('400 INVALID_MESSAGES');
  expect(invalid.stderr).toMatch(/^1\s+customer_number\s+/m);
});

test('suppress: add, show, list, export, import and remove; a suppressed number is never sent', async () => {
  const [a, b, c] = ['919300000001', '919300000002', '919300000003'];
  const added = await sobot(['suppress', 'add', a, b, '--reason', 'asked']);
  expect([added.code, added.stdout.trim()]).toEqual([0, '2 suppressed, 0 already suppressed']);
  const shown = await sobot(['suppress', 'show', a]);
  expect([shown.code, shown.stdout]).toEqual([
    0,
    expect.stringMatching(new RegExp(`^${a} suppressed since .* \\(asked\\)`)),
  ]);
  const listed = await sobot(['--json', 'suppress', 'list', '--limit', '1']);
  const page = JSON.parse(listed.stdout) as { suppressions: unknown[]; total: number; next_cursor: string };
  expect([page.suppressions.length, page.total, typeof page.next_cursor]).toEqual([1, 2, 'string']);
  const exported = await sobot(['suppress', 'export']);
  expect(exported.stdout).toContain(`+${b},asked,`);
  expect(exported.stdout).toContain(',operator');
  // All or nothing: a bad row refuses the file (listed by row), and nothing of it is suppressed.
  const refused = await sobot([
    'suppress',
    'import',
    await csvFile('bad.csv', ['Mobile No.', c, 'call me']),
    '--reason',
    'csv',
  ]);
  expect(refused.code).not.toBe(0);
  // Listed by the line a spreadsheet shows: data row 2 is line 3.
  expect(refused.stderr).toMatch(/INVALID_ROWS[\s\S]*\nLINE +FIELD +MESSAGE\n3 +customer_number/);
  expect((await sobot(['suppress', 'show', c])).code).toBe(6);
  const file = await csvFile('suppress.csv', ['Mobile No.', c]);
  const imported = await sobot(['suppress', 'import', file, '--reason', 'csv']);
  expect(imported.stdout).toContain('1 read: 1 suppressed, 0 already, 0 rejected');

  const up = await sobot([
    'upload',
    await csvFile('to-suppressed.csv', ['phone,name', `${a},A`, '919300000009,Z']),
    '--image-url',
    image,
    '--watch',
    '--interval',
    '100',
  ]);
  expect(up.stdout).toContain('1 suppressed');
  expect(sandbox.stats().received.some((r) => r.number === a)).toBe(false);

  for (const n of [a, b, c]) expect((await sobot(['suppress', 'remove', n])).code).toBe(0);
  const gone = await sobot(['suppress', 'remove', a]);
  expect([gone.code, gone.stdout.trim()]).toEqual([6, `${a} was not suppressed`]);
  expect((await sobot(['suppress', 'show', a])).code).toBe(6);
});

test('usage errors exit 2; an API nobody listens on exits 7; the bin shim runs', async () => {
  expect((await sobot(['upload'])).code).toBe(2);
  expect((await sobot(['report', 'x', '--format', 'xml'])).code).toBe(2);
  expect((await sobot(['upload', join(dir, 'missing.csv')])).code).toBe(2);
  expect((await sobot(['list'], { env: { SOBOT_BULK_TOKEN: '' } })).code).toBe(2);
  expect((await sobot(['list', '--api', 'http://127.0.0.1:9'])).code).toBe(7);
  const help = await sobot(['--help'], { entry: ['apps/cli/bin/sobot.js'] });
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Exit codes:');
});

test('a reader that goes away early (`sobot --help | head -0`) ends the output without a stack trace', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', '--help'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Closed before the CLI has started: its first write meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
});

test('`pnpm cli -- <command>` (the form the README shows) works: the `--` pnpm passes on is ignored', async () => {
  const run = await sobot(['--', 'list']);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
});

test('control characters the API returns are never printed raw: list, status, report, --json', async () => {
  // ESC sequences (recolour, set the window title), an 8-bit CSI (C1), a newline that fakes a line, a bell.
  const name = 'evil \u001b[31mred\u001b[0m \u001b]0;pwned\u0007 \u009b2J fake\ndone';
  const customer = 'Eve \u001b[2J\u009b';
  const file = await csvFile('evil.csv', ['phone,name', `919970500001,${customer}`]);
  const upload = await sobot(['--json', 'upload', file, '--image-url', image, '--name', name, '--watch']);
  expect(upload.code).toBe(0);
  const id = (JSON.parse(upload.stdout) as UploadResult).id;
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  const list = await sobot(['list']);
  const status = await sobot(['status', id]);
  for (const run of [list, status]) {
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(raw);
    expect(run.stdout).toContain('evil \\u001b[31mred\\u001b[0m \\u001b]0;pwned\\u0007 \\u009b2J fake\\u000adone');
  }
  expect(status.stdout.split('\n')[0]).toBe(
    `${id}  "evil \\u001b[31mred\\u001b[0m \\u001b]0;pwned\\u0007 \\u009b2J fake\\u000adone"  completed`,
  );

  // JSON output keeps the data exact and the text free of raw control characters (C1 is not escaped by JSON).
  const json = await sobot(['--json', 'status', id]);
  expect(json.stdout).not.toMatch(raw);
  expect((JSON.parse(json.stdout) as CampaignView).name).toBe(name);

  const csv = await sobot(['report', id]);
  expect(csv.code).toBe(0);
  expect(csv.stdout.replace(/\r\n/g, '\n')).not.toMatch(raw);
  expect(csv.stdout).toContain('Eve \\u001b[2J\\u009b');
  const ndjson = await sobot(['report', id, '--format', 'ndjson']);
  expect(ndjson.stdout).not.toMatch(raw);
  expect((JSON.parse(ndjson.stdout) as { customer_name: string }).customer_name).toBe(customer);
});

test('upload --idempotency-key: a rerun answers the same campaign; without it, a double unless --force', async () => {
  const file = await csvFile('keyed.csv', ['phone,name', '919970400001,Keyed']);
  const first = await sobot(['--json', 'upload', file, '--image-url', image, '--idempotency-key', 'cli-key-1']);
  const again = await sobot(['upload', file, '--image-url', image, '--idempotency-key', 'cli-key-1']);
  expect(first.code).toBe(0);
  expect(again.code).toBe(0);
  const id = (JSON.parse(first.stdout) as UploadResult).id;
  expect(again.stdout).toContain(`campaign ${id} "keyed.csv" queued (replayed`);
  // A run without the key is a new upload of the same list: refused as a double (SPEC §20), naming the campaign.
  const double = await sobot(['upload', file, '--image-url', image]);
  expect(double.code).toBe(3);
  expect(double.stderr).toContain(`as campaign ${id}`);
  expect(double.stderr).toContain('409 DUPLICATE_UPLOAD');
  expect(double.stderr).toContain('--force');
  // With --force each run makes its own (its retries share it): two runs, two campaigns.
  const a = await sobot(['--json', 'upload', file, '--image-url', image, '--force']);
  const b = await sobot(['--json', 'upload', file, '--image-url', image, '--force']);
  expect([a.code, b.code]).toEqual([0, 0]);
  expect((JSON.parse(a.stdout) as UploadResult).id).not.toBe((JSON.parse(b.stdout) as UploadResult).id);
});
