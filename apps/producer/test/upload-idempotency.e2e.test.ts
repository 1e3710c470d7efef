/**
 * Issue 14, finding 4: `Idempotency-Key` on uploads. Real producer and worker processes, real Redis, the sandbox
 * over loopback, real concurrent HTTP uploads; a second producer is killed by signal half-way through an upload.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import {
  freePort,
  json,
  spawnApp,
  startSystem,
  startTestRedis,
  waitFor,
  waitForHttp,
  type AppProcess,
  type System,
  type TestRedis,
} from '@sobot/devkit';
import { IDEMPOTENCY_LEASE_MS } from '@sobot/store';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let image: string;
const extra: AppProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 1 } });
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workers: 1,
    workerEnv: { SEND_RATE: '2000' },
  });
  image = `${sandbox.url}/images/sample.jpg`;
}, 90_000);

afterAll(async () => {
  await Promise.all(extra.map((p) => p.stop('SIGKILL')));
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
});

/** A CSV of `rows` numbers starting at `from`. */
function csv(rows: number, from: number): string {
  const lines = ['phone,name'];
  for (let i = 0; i < rows; i += 1) lines.push(`9197${String(from + i).padStart(8, '0')},Name ${i}`);
  return `${lines.join('\n')}\n`;
}

type Answer = { status: number; body: any; retryAfter: string | null };

async function upload(body: string, key: string, query: Record<string, string> = {}): Promise<Answer> {
  const res = await sys.api(`/v1/campaigns?${new URLSearchParams({ image_url: image, ...query })}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'idempotency-key': key },
    body,
  });
  return { status: res.status, body: await json(res), retryAfter: res.headers.get('retry-after') };
}

/** Uploads, retrying as the API asks while the first upload with the key is still being read. */
async function uploadUntilAnswered(body: string, key: string, query: Record<string, string> = {}) {
  const seen: number[] = [];
  for (;;) {
    const a = await upload(body, key, query);
    seen.push(a.status);
    // In progress under this key, or more uploads at once than MAX_CONCURRENT_UPLOADS: a client waits and retries.
    const busy = a.status === 409 || a.status === 503;
    const code = a.body.error?.code;
    if (!busy || (code !== 'IDEMPOTENCY_IN_PROGRESS' && code !== 'TOO_MANY_UPLOADS')) return { ...a, seen };
    expect(a.retryAfter).toBe('1');
    await new Promise((r) => setTimeout(r, Number(a.retryAfter) * 1000));
  }
}

async function campaignIds(): Promise<string[]> {
  const list = await json(await sys.api('/v1/campaigns?limit=100'));
  return (list.campaigns as Array<{ id: string }>).map((c) => c.id);
}

const cli = (...args: string[]) =>
  spawnSync('redis-cli', ['-u', redis.url, ...args], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
/** Keys of a campaign (staged chunks included); of every campaign without an id. */
const campaignKeys = (id = '*') => cli('--scan', '--pattern', `${redis.prefix}:{c:${id}}*`);
/** The campaign id of the one upload in progress (registered for the dead-upload sweep). */
const uploading = () => waitFor(() => cli('hkeys', `${redis.prefix}:uploads`)[0], { what: 'an upload in progress' });

test('20 racing uploads with one key create exactly one campaign, sent once; all get its id', async () => {
  const before = await campaignIds();
  const file = csv(3_000, 0);
  const answers = await Promise.all(Array.from({ length: 20 }, () => uploadUntilAnswered(file, 'race-1')));

  for (const a of answers) expect(a.status).toBe(202);
  const ids = new Set(answers.map((a) => a.body.id));
  expect(ids.size).toBe(1);
  const [id] = [...ids];
  expect(answers.filter((a) => !a.body.replayed)).toHaveLength(1);
  // Replays carry the same counts as the upload that created the campaign.
  for (const a of answers) expect(a.body).toMatchObject({ total: 3_000, accepted: 3_000, rejected: 0 });
  // Some retries came while the first was still being read: they were told so (409), not given a second campaign.
  expect(answers.some((a) => a.seen.includes(409))).toBe(true);

  const after = await campaignIds();
  expect(after.filter((c) => !before.includes(c))).toEqual([id]);
  await sys.waitForCampaign(id, (c) => c.status === 'completed');
  const { byNumber } = sandbox.stats();
  const ours = Object.entries(byNumber).filter(([n]) => n.startsWith('9197000'));
  expect(ours).toHaveLength(3_000);
  expect(ours.every(([, times]) => times === 1)).toBe(true);

  // A retry after the campaign was sent still answers it, and creates nothing.
  const late = await upload(file, 'race-1');
  expect(late).toMatchObject({ status: 202, body: { id, replayed: true, accepted: 3_000 } });
}, 120_000);

test('the same key with another file or other options is 409 naming what differs', async () => {
  const first = await upload(csv(10, 10_000), 'reuse-1');
  expect(first.status).toBe(202);
  const otherFile = await upload(csv(11, 10_000), 'reuse-1');
  expect(otherFile.status).toBe(409);
  expect(otherFile.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(otherFile.body.error.message).toContain('different file');
  expect(otherFile.body.error.message).toContain(first.body.id);
  const otherOptions = await upload(csv(10, 10_000), 'reuse-1', { caption: 'Other' });
  expect(otherOptions.status).toBe(409);
  expect(otherOptions.body.error.message).toContain('different upload options');
  // The field works like the header.
  const byField = await sys.api(
    `/v1/campaigns?${new URLSearchParams({ image_url: image, idempotency_key: 'field-1' })}`,
    { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv(5, 20_000) },
  );
  expect(byField.status).toBe(202);
  const again = await sys.api(
    `/v1/campaigns?${new URLSearchParams({ image_url: image, idempotency_key: 'field-1' })}`,
    { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv(5, 20_000) },
  );
  expect(await json(again)).toMatchObject({ id: (await json(byField)).id, replayed: true });
});

test('a rejected upload frees its key: the corrected retry creates the campaign', async () => {
  const bad = await upload('phone,name\n12,Too short\n', 'fix-1');
  expect(bad.status).toBe(400);
  const good = await upload(csv(5, 30_000), 'fix-1');
  expect(good.status).toBe(202);
  expect(good.body.replayed).toBeUndefined();
});

/** Starts a raw CSV upload with `key` and sends `rows` rows of it; the request stays open until destroyed. */
function partialUpload(port: number, token: string, key: string, rows: number) {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: `/v1/campaigns?image_url=${encodeURIComponent(image)}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'idempotency-key': key },
  });
  req.on('error', () => undefined);
  req.write(csv(rows, 40_000));
  return req;
}

test('an aborted upload frees its key at once: the retry creates the campaign', async () => {
  const port = Number(new URL(sys.url).port);
  const req = partialUpload(port, sys.token, 'abort-1', 60_000);
  const id = await uploading();
  await waitFor(() => campaignKeys(id).length > 50, { timeoutMs: 30_000, what: 'staged chunks' });
  req.destroy();
  await waitFor(() => campaignKeys(id).length === 0, { timeoutMs: 10_000, what: 'the aborted upload to be removed' });
  const retry = await uploadUntilAnswered(csv(100, 50_000), 'abort-1');
  expect(retry.status).toBe(202);
  expect(retry.body.replayed).toBeUndefined();
  expect(retry.body.accepted).toBe(100);
  // The first try never needed a lease to run out: its producer released the key when the client went away.
  expect(retry.seen.filter((s) => s === 409).length).toBeLessThanOrEqual(2);
}, 60_000);

test('a producer killed mid-upload: its key is busy for the lease, then the next call creates it', async () => {
  const port = await freePort();
  const token = 'kill-test-token';
  const doomed = spawnApp('producer', {
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: token,
    LOG_LEVEL: 'warn',
    ALLOW_PRIVATE_URLS: 'true',
  });
  extra.push(doomed);
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
  partialUpload(port, token, 'killed-1', 60_000);
  const id = await uploading();
  await waitFor(() => campaignKeys(id).length > 50, { timeoutMs: 30_000, what: 'staged chunks' });
  await doomed.stop('SIGKILL');
  const killedAt = Date.now();

  // Within the lease the key is still held by the dead upload: the API says to retry.
  const busy = await upload(csv(100, 60_000), 'killed-1');
  expect(busy.status).toBe(409);
  expect(busy.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');

  const taken = await uploadUntilAnswered(csv(100, 60_000), 'killed-1');
  expect(taken.status).toBe(202);
  expect(taken.body.replayed).toBeUndefined();
  expect(taken.body.accepted).toBe(100);
  // Held until the lease of its last renewal (every third of the lease, later on a busy machine) runs out.
  expect(Date.now() - killedAt).toBeGreaterThanOrEqual(IDEMPOTENCY_LEASE_MS / 3);
  expect(Date.now() - killedAt).toBeLessThan(IDEMPOTENCY_LEASE_MS + 10_000);
  const replay = await upload(csv(100, 60_000), 'killed-1');
  expect(replay.body).toMatchObject({ id: taken.body.id, replayed: true });
  await sys.waitForCampaign(taken.body.id, (c) => c.status === 'completed');
}, 90_000);
