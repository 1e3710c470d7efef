/**
 * Issue 14, finding 2: an upload that never ends (the client goes away, the producer is killed) leaves nothing
 * behind: no staged chunk, no campaign, and the producer's handler ends.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import {
  freePort,
  spawnApp,
  startTestRedis,
  waitFor,
  waitForHttp,
  type AppProcess,
  type TestRedis,
} from '@sobot/devkit';

const TOKEN = 'abort-test-token';
let redis: TestRedis;
const running: AppProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await redis?.close();
});

async function producer(): Promise<{ port: number; proc: AppProcess }> {
  const port = await freePort();
  const proc = spawnApp('producer', {
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: TOKEN,
    LOG_LEVEL: 'warn',
  });
  running.push(proc);
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
  return { port, proc };
}

/** Keys of campaigns (staged chunks included) under this test's prefix. */
function campaignKeys(): string[] {
  const out = spawnSync('redis-cli', ['-u', redis.url, '--scan', '--pattern', `${redis.prefix}:{c:*`], {
    encoding: 'utf8',
  });
  return out.stdout.split('\n').filter(Boolean);
}

/** Starts a raw CSV upload of `rows` rows and sends only the first `sendRows`; the request stays open. */
function partialUpload(port: number, rows: number, sendRows: number) {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: `/v1/campaigns?image_url=${encodeURIComponent('https://cdn.example.com/a.jpg')}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
  });
  req.on('error', () => undefined);
  const lines = ['phone,name'];
  for (let i = 0; i < sendRows; i += 1) lines.push(`9198${String(i).padStart(8, '0')},Name ${i}`);
  req.write(`${lines.join('\n')}\n`);
  return { req, rows };
}

test('a client that goes away half-way through a 300k-row upload leaves 0 keys, at once', async () => {
  const { port } = await producer();
  const { req } = partialUpload(port, 300_000, 150_000);
  await waitFor(() => campaignKeys().length > 100, { timeoutMs: 30_000, what: 'staged chunks' });
  req.destroy();
  const t0 = Date.now();
  await waitFor(() => campaignKeys().length === 0, { timeoutMs: 10_000, what: 'the staged chunks to go' });
  expect(Date.now() - t0).toBeLessThan(3_000);
  // The producer still answers (its handler ended, nothing hangs).
  const res = await fetch(`http://127.0.0.1:${port}/v1/campaigns`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(((await res.json()) as { campaigns: unknown[] }).campaigns).toEqual([]);
});

test('after a producer is killed mid-upload, the next one to start removes what the upload left', async () => {
  const first = await producer();
  partialUpload(first.port, 300_000, 50_000);
  await waitFor(() => campaignKeys().length > 50, { timeoutMs: 30_000, what: 'staged chunks' });
  await first.proc.stop('SIGKILL');
  expect(campaignKeys().length).toBeGreaterThan(0);
  await producer();
  await waitFor(() => campaignKeys().length === 0, { timeoutMs: 10_000, what: 'the sweep at start' });
});
