/**
 * SPEC §18 (issue 20), from the acceptance run: an early answer that closes the connection must reach a client
 * that is still writing its body. Node ends a `Connection: close` answer by destroying the socket once the answer
 * is flushed; with the client's bytes still arriving the kernel resets the connection, and undici (Node's fetch)
 * fails with EPIPE / ECONNRESET instead of reading the 400 or 401 waiting for it. Each case here is answered before
 * any of the body is read (a wrong token, a bad option in the query), with a body far larger than a socket's
 * buffers, several times over: every attempt must get its answer.
 */
import { Agent, request } from 'undici';
import { freePort, spawnApp, startTestRedis, waitForHttp, type AppProcess, type TestRedis } from '@sobot/devkit';

const KEY = 'linger-key';
const MiB = 2 ** 20;
let redis: TestRedis;
let producer: AppProcess;
let base: string;

// The producer in a process of its own (as deployed): in the test's own event loop the client never races it.
beforeAll(async () => {
  redis = await startTestRedis();
  const port = await freePort();
  producer = spawnApp('producer', {
    API_KEYS: KEY,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/readyz`, 60_000);
}, 90_000);

afterAll(async () => {
  await producer?.stop('SIGKILL');
  await redis?.close();
});

const body = Buffer.from(`phone,name\n${'919800000001,A\n'.repeat((24 * MiB) / 15)}`);

const cases: Array<[string, string, Record<string, string>, number, string]> = [
  [
    'a wrong bearer token',
    '/v1/campaigns?image_url=https://cdn.example.com/a.jpg',
    { authorization: 'Bearer no' },
    401,
    'UNAUTHORIZED',
  ],
  [
    'send_at not on the calendar',
    `/v1/campaigns?image_url=https://cdn.example.com/a.jpg&send_at=${encodeURIComponent('2027-02-30T09:00:00+05:30')}`,
    { authorization: `Bearer ${KEY}` },
    400,
    'INVALID_REQUEST',
  ],
];

test.each(cases)('%s: the client still writing reads the answer', async (_name, path, headers, status, code) => {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const agent = new Agent({ connections: 1 });
    try {
      const res = await request(`${base}${path}`, {
        dispatcher: agent,
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/csv', 'content-length': String(body.length) },
        body,
      });
      const answer = (await res.body.json()) as { error?: { code: string } };
      expect([res.statusCode, answer.error?.code, res.headers.connection]).toEqual([status, code, 'close']);
      const next = await request(`${base}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(10_000) });
      expect(next.statusCode).toBe(200);
      await next.body.dump();
    } finally {
      await agent.close();
    }
  }
});
