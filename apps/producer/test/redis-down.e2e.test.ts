/**
 * SPEC §22 (issue 20): with Redis unreachable, API calls answer 503 at once, however long Redis has been away (the
 * client's reconnect attempts back off to a second each: no call waits for them), and after Redis returns the API
 * works again. The producer's store is built as main.ts builds it (failFast).
 */
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@sobot/config';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const KEY = 'redis-down-key';
const HOOK = 'redis-down-hook';
let redis: TestRedis;
let store: Store;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  redis = await startTestRedis({ own: true });
  const cfg = producerConfigSchema.parse({
    API_KEYS: KEY,
    WEBHOOK_TOKEN: HOOK,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
  });
  store = Store.open(
    { url: redis.url, prefix: redis.prefix, resultTtlDays: cfg.RESULT_TTL_DAYS, failFast: true },
    createLogger('store', 'silent'),
  );
  app = await buildApp({ cfg, store });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await redis?.close();
});

const auth = { authorization: `Bearer ${KEY}` };
const image = 'https://cdn.example.com/a.jpg';
const csvRows = Array.from({ length: 500 }, (_, i) => `9198${String(i).padStart(8, '0')},N${i}`).join('\n');
/** Calls that each need Redis: reads, an API message, a suppression, an upload, a webhook event. */
const calls: Array<[string, string, RequestInit]> = [
  ['GET', '/v1/campaigns', { headers: auth }],
  ['GET', `/v1/campaigns/c${'0'.repeat(15)}`, { headers: auth }],
  ['GET', '/v1/messages/summary', { headers: auth }],
  [
    'POST',
    '/v1/messages',
    {
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ customer_number: '919800000001', customer_name: 'A', url: image }),
    },
  ],
  [
    'POST',
    '/v1/suppressions',
    { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ numbers: ['919800000002'] }) },
  ],
  [
    'POST',
    `/v1/campaigns?image_url=${encodeURIComponent(image)}`,
    {
      headers: { ...auth, 'content-type': 'text/csv' },
      body: `phone,name\n${csvRows}\n`,
    },
  ],
  [
    'POST',
    `/v1/webhooks/sobot?token=${HOOK}`,
    { headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ wamid: 'w1', status: 'read' }]) },
  ],
];

/** Each call, given 2 s before it is abandoned (an abandoned call fails the test): status and code. */
async function round(): Promise<Array<[string, number, string | undefined]>> {
  const out: Array<[string, number, string | undefined]> = [];
  for (const [method, path, init] of calls) {
    const res = await fetch(`${base}${path}`, { method, ...init, signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { error?: { code: string } };
    out.push([`${method} ${path.split('?')[0]}`, res.status, body.error?.code]);
  }
  return out;
}

/** What the calls answer with Redis up (the campaign is unknown: 404, not 503). */
const working = [
  ['GET /v1/campaigns', 200],
  [`GET /v1/campaigns/c${'0'.repeat(15)}`, 404],
  ['GET /v1/messages/summary', 200],
  ['POST /v1/messages', 202],
  ['POST /v1/suppressions', 200],
  ['POST /v1/campaigns', 202],
  ['POST /v1/webhooks/sobot', 200],
];
const statuses = (answers: Array<[string, number, string | undefined]>) =>
  answers.map(([call, status]) => [call, status]);

test('Redis stopped: every call is 503 STORE_UNAVAILABLE at once, while it is away; then works again', async () => {
  if (!redis.server) return; // REDIS_URL given: this test cannot stop that Redis.
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { what: 'the producer to be ready' });
  expect(statuses(await round())).toEqual(working);

  await redis.server.stop();
  const expected = calls.map(([method, path]) => [`${method} ${path.split('?')[0]}`, 503, 'STORE_UNAVAILABLE']);
  // 8 s of outage: past it the client's reconnect attempts are a second apart, which calls used to wait out (2–3 s).
  const down = Date.now();
  let rounds = 0;
  while (Date.now() - down < 8_000 || rounds < 3) {
    expect(await round()).toEqual(expected);
    rounds += 1;
  }

  await redis.server.restart();
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { what: 'the producer to see Redis again' });
  expect(statuses(await round())).toEqual(working);
}, 60_000);

test('Redis hung (SIGSTOP, connection open, no answers): 503 after the command timeout, not never', async () => {
  if (!redis.server) return; // REDIS_URL given: this test cannot stop that Redis.
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { what: 'the producer to be ready' });
  redis.server.freeze();
  try {
    for (const [method, path, init] of [calls[0]!, calls[3]!]) {
      // Abandoned after 15 s: the store's 3 s command timeout must answer first.
      const res = await fetch(`${base}${path}`, { method, ...init, signal: AbortSignal.timeout(15_000) });
      expect([method, res.status, ((await res.json()) as { error?: { code: string } }).error?.code]).toEqual([
        method,
        503,
        'STORE_UNAVAILABLE',
      ]);
    }
  } finally {
    redis.server.thaw();
  }
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { what: 'the producer to see Redis again' });
  // The same list again would be a DUPLICATE_UPLOAD now: check the calls that repeat freely.
  for (const [method, path, init] of [calls[0]!, calls[2]!, calls[3]!]) {
    expect([method, (await fetch(`${base}${path}`, { method, ...init })).status]).toEqual([
      method,
      method === 'POST' ? 202 : 200,
    ]);
  }
}, 90_000);
