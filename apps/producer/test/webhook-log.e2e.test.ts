/**
 * Logs for people (issue 24): a webhook call logs one line at info, not Fastify's request pair, and
 * LOG_FORMAT=pretty makes a real producer process write lines a person can read (a time, no JSON).
 */
import { createLogger } from '@sobot/config';
import { freePort, spawnApp, startTestRedis, waitFor, waitForHttp, type AppProcess } from '@sobot/devkit';
import { TestProducers } from './producers';

const API_KEY = 'webhook-log-key';

/** A flat body of `n` status events for wamids nobody sent (each counts as received, unknown). */
const batchOf = (n: number) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `wamid.log${i}`, status: 'delivered' })));

let producers: TestProducers;
const processes: AppProcess[] = [];

beforeAll(async () => {
  producers = await TestProducers.start(API_KEY);
});

afterAll(async () => {
  for (const p of processes) await p.stop();
  await producers?.close();
});

async function listening(level: string, logged: string[]) {
  const logger = createLogger('producer', level, {}, { write: (line: string) => void logged.push(line) });
  const { app } = await producers.open({ WEBHOOK_OPEN: 'true' }, logger);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}/v1/webhooks/sobot`;
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

test('at info a webhook call of N events logs one line with its tally, not a request pair', async () => {
  const logged: string[] = [];
  const url = await listening('info', logged);
  const before = logged.length;
  const n = 40;
  const res = await post(url, batchOf(n));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ received: n, unknown: n });
  const lines = await waitFor(() => (logged.length > before ? logged.slice(before) : undefined), {
    what: 'the batch line',
  });
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(parsed).toEqual([
    expect.objectContaining({ msg: 'webhook batch', statusCode: 200, received: n, unknown: n, level: 30 }),
  ]);

  // A refused call is one line too, with its status; a second good call adds exactly one more.
  const refused = await post(url, 'not json');
  expect(refused.status).toBe(400);
  await post(url, batchOf(3));
  const after = await waitFor(() => (logged.length >= before + 3 ? logged.slice(before) : undefined), {
    what: 'three batch lines',
  });
  expect(after.map((l) => (JSON.parse(l) as { msg: string; statusCode: number }).statusCode)).toEqual([200, 400, 200]);
  expect(after.join('')).not.toMatch(/incoming request|request completed/);
});

test('at debug the request pair is still there, beside the batch line', async () => {
  const logged: string[] = [];
  const url = await listening('debug', logged);
  expect((await post(url, batchOf(2))).status).toBe(200);
  await waitFor(() => logged.some((l) => l.includes('request completed')), { what: 'the request pair' });
  const text = logged.join('');
  expect(text).toContain('incoming request');
  expect(text).toContain('webhook batch');
});

test('LOG_FORMAT=pretty: a producer process writes a time, a level and a message a line, no JSON', async () => {
  const redis = await startTestRedis();
  const port = await freePort();
  const producer = spawnApp('producer', {
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: API_KEY,
    WEBHOOK_OPEN: 'true',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'pretty',
  });
  processes.push(producer);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
    const start = producer.output().length;
    expect((await post(`http://127.0.0.1:${port}/v1/webhooks/sobot`, batchOf(25))).status).toBe(200);
    await waitFor(() => producer.output().includes('webhook batch'), { what: 'the batch line' });
    const out = producer.output();
    expect(out).not.toContain('{"level"');
    // The call's whole log: one line (by its request id), a local time first, its tally on the same line.
    const lines = out.slice(start).split('\n');
    const batch = lines.filter((l) => l.includes('webhook batch'));
    expect(batch).toEqual([
      expect.stringMatching(
        /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(producer\): webhook batch .*"received":25/,
      ),
    ]);
    const reqId = /"reqId":"([^"]+)"/.exec(batch[0]!)?.[1];
    expect(reqId).toBeDefined();
    expect(lines.filter((l) => l.includes(`"reqId":"${reqId}"`))).toHaveLength(1);
  } finally {
    await producer.stop();
    await redis.close();
  }
}, 90_000);
