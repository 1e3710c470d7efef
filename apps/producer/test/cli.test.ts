/**
 * The `sobot` CLI as a user runs it: a child process (`node --import tsx …/cli/main.ts`, and once the
 * bin shim) against a real producer, a real worker, a real Redis and the sandbox. Assertions are on
 * exit codes, what the CLI printed, what the sandbox received, and the report file.
 *
 * The producer runs as its own process (`apps/producer/src/main.ts`), not in this one: app.ts loads
 * @fastify/static (through @bull-board/fastify and @fastify/swagger-ui), which requires the ESM-only
 * content-disposition@3, and jest's CommonJS runtime cannot load that with the root jest config.
 * The worker runs in this process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@sobot/config';
import {
  REPO_ROOT,
  freePort,
  spawnApp,
  startTestRedis,
  waitFor,
  waitForHttp,
  type AppProcess,
  type TestRedis,
} from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { REPORT_COLUMNS, type CampaignView, type UploadResult } from '@sobot/schema';
import { Store } from '@sobot/store';
// Not a dependency of the producer package: reached by path.
import { startSendWorker, type SendWorker } from '@sobot/sending';

const TOKEN = 'k-cli-test-token';
/** Numbers the sandbox treats as outside the 24-hour window: sends to them fail permanently. */
const CLOSED_PREFIX = '918880';

let testRedis: TestRedis;
let sandbox: Sandbox;
let producer: AppProcess;
let worker: SendWorker;
let store: Store | undefined;
let api: string;
let image: string;
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (`entry` relative to the repository root) and collects what it printed. */
function sobot(args: string[], opts: { env?: Record<string, string>; entry?: string[] } = {}): Promise<Run> {
  const entry = opts.entry ?? ['--import', 'tsx', 'apps/producer/src/cli/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SOBOT_BULK_API: api, SOBOT_BULK_TOKEN: TOKEN, ...opts.env },
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
  sandbox = await startSandbox({ faults: { latencyMs: 5, closedNumbers: [`${CLOSED_PREFIX}*`] } });
  image = `${sandbox.url}/images/sample.jpg`;
  const { url, prefix } = testRedis;

  const port = await freePort();
  producer = spawnApp('producer', {
    REDIS_URL: url,
    REDIS_PREFIX: prefix,
    API_KEYS: `${TOKEN},other`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  api = `http://127.0.0.1:${port}`;

  store = Store.open({ url, prefix, resultTtlDays: 1 }, createLogger('store', 'silent'));
  worker = startSendWorker({
    store,
    log: createLogger('worker', 'silent'),
    sobot: { baseUrl: sandbox.url, apiKey: 'key', apiSecret: 'secret', timeoutMs: 5000 },
    sendRate: 200,
    concurrency: 8,
    maxAttempts: 2,
  });
  await waitForHttp(`${api}/healthz`).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${producer.output()}`);
  });
});

afterAll(async () => {
  await producer?.stop();
  await worker?.close();
  await store?.close();
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
  expect(run.stdout).toMatch(/^ROW\s+FIELD\s+MESSAGE$/m);
  expect(run.stdout).toMatch(/^2\s+customer_number\s+/m);
  expect(run.stdout).toMatch(/^3\s+customer_name\s+/m);
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
  const lines = (await readFile(dest, 'utf8')).trimEnd().split('\r\n');
  expect(lines[0]).toBe(REPORT_COLUMNS.join(','));
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

test('--json list returns the campaigns as JSON; status prints counts', async () => {
  const run = await sobot(['--json', 'list']);
  expect(run.code).toBe(0);
  const list = JSON.parse(run.stdout) as CampaignView[];
  expect(list.map((c) => c.id)).toContain(uploaded!.id);

  const status = await sobot(['status', uploaded!.id]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`${uploaded!.id}  "customers.csv"  completed`);
  expect(status.stdout).toContain('sent 4 · failed 0 · pending 0');
});

test('a wrong token exits 4 and is never printed', async () => {
  const run = await sobot(['list', '--token', 'wrong-secret-token']);
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('401 UNAUTHORIZED');
  expect(run.stdout + run.stderr).not.toContain('wrong-secret-token');
  expect(run.stdout + run.stderr).not.toContain(TOKEN);
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

test('a campaign that ends with failures makes --watch exit 6', async () => {
  const file = await csvFile('closed.csv', ['phone,name', '919970300001,Open', `${CLOSED_PREFIX}000001,Closed`]);
  const run = await sobot(['upload', file, '--image-url', image, '--watch', '--interval', '200']);
  expect(run.code).toBe(6);
  expect(run.stdout).toMatch(/completed.*: 1 sent, 1 failed of 2/);
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

test('usage errors exit 2; an API nobody listens on exits 7; the bin shim runs', async () => {
  expect((await sobot(['upload'])).code).toBe(2);
  expect((await sobot(['report', 'x', '--format', 'xml'])).code).toBe(2);
  expect((await sobot(['upload', join(dir, 'missing.csv')])).code).toBe(2);
  expect((await sobot(['list'], { env: { SOBOT_BULK_TOKEN: '' } })).code).toBe(2);
  expect((await sobot(['list', '--api', 'http://127.0.0.1:9'])).code).toBe(7);
  const help = await sobot(['--help'], { entry: ['apps/producer/bin/sobot.js'] });
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Exit codes:');
});

test('`pnpm cli -- <command>` (the form the README shows) works: the `--` pnpm passes on is ignored', async () => {
  const run = await sobot(['--', 'list']);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
});
