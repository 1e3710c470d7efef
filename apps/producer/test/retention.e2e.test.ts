/**
 * Nothing leaks (SPEC §22, issue 20): every key expires once its campaign or API message has ended, delivery
 * records written by statuses that arrive after completion included; texts from outside (a megabyte of upstream
 * error message, a megabyte of webhook `error_message`) are stored clipped to 1 KiB. Real Redis, a real producer
 * on loopback, a real send worker, the sandbox as the upstream (and a tiny upstream that answers huge errors).
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import IORedis from 'ioredis';
import { createLogger } from '@sobot/config';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { campaignViewSchema, messageViewSchema, type ReportRow } from '@sobot/schema';
import { startSendWorker, type SendWorker } from '@sobot/sending';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const KEY = 'retention-key';
const APP_SECRET = 'retention-app-secret';
/** The shrunk retention: long enough for the late statuses below, short enough to wait for. */
const RETENTION_S = 12;
const HUGE = 1_000_000;
const log = createLogger('retention-test', 'silent');

/**
 * Keys allowed to live without a TTL: global singletons whose size is bounded (docs/decisions.md, "Retention").
 * Matched on the part after the prefix.
 */
const SINGLETONS = [
  /^:campaigns$/, // index of uploaded campaigns: pruned as expired campaigns are met
  /^:messages$/, // index of API messages: same
  /^:uploads$/, // uploads in progress: an entry per live upload, removed at commit or by the sweep
  /^:\{rate\}$/, // the global send rate (a few fields)
  /^:metrics$/, // metric counters (a fixed set of fields)
  /^:reasons$/, // suppression reason ids (audience.ts)
  /^:inbound$/, // time of the last inbound event (one string)
  /^:limits$/, // what held the rate down last (a field per reason: limited_by)
  /^:\{snd\}:reg$/, // the senders' registry (a field per configured sender and portfolio)
  /^:\{snd\}:inflight$/, // in-flight requests per sender and worker (a field per sender and worker)
];
/** BullMQ's own queue singletons (meta, id counter, event stream capped by MAXLEN, empty-able lists). */
const BULL_SINGLETON = new RegExp(
  '^\\}:[^:]+:(meta|id|events|stalled-check|wait|paused|active|delayed|' +
    'prioritized|completed|failed|pc|marker|de|limiter)$',
);

let redis: TestRedis;
let admin: IORedis;
let sandbox: Sandbox;
let store: Store;
let app: FastifyInstance;
let worker: SendWorker;
let base: string;
let image: string;
let huge: Server;
let hugeWorker: SendWorker;

beforeAll(async () => {
  redis = await startTestRedis();
  admin = new IORedis(redis.url);
  sandbox = await startSandbox({ faults: { latencyMs: 2 } });
  image = `${sandbox.url}/images/sample.jpg`;
  const cfg = producerConfigSchema.parse({
    API_KEYS: KEY,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    LOG_LEVEL: 'silent',
    WEBHOOK_APP_SECRET: APP_SECRET,
    WEBHOOK_MAX_BYTES: String(4 * 2 ** 20),
  });
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1, resultTtlSeconds: RETENTION_S }, log);
  app = await buildApp({ cfg, store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  worker = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: 500,
    concurrency: 20,
    maxAttempts: 2,
    frequencyCapHours: 0,
  });
});

afterAll(async () => {
  await hugeWorker?.close();
  await worker?.close();
  await app?.close();
  await store?.close();
  await sandbox?.close();
  huge?.close();
  admin?.disconnect();
  await redis?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...(init.headers ?? {}) } });

async function upload(numbers: string[]): Promise<string> {
  const csv = `phone,name\n${numbers.map((n, i) => `${n},N${i}`).join('\n')}\n`;
  const res = await api(`/v1/campaigns?${new URLSearchParams({ image_url: image })}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const done = (id: string) =>
  waitFor(
    async () => {
      const body = await (await api(`/v1/campaigns/${id}`)).json();
      if (!(body as { id?: string }).id) throw new Error(JSON.stringify(body));
      const v = campaignViewSchema.parse(body);
      return v.status === 'completed' ? v : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `campaign ${id} to complete` },
  );

const report = async (id: string) =>
  (await (await api(`/v1/campaigns/${id}/report?format=json`)).json()) as ReportRow[];

/** Posts Meta-style status events, signed as the provider signs them. */
async function statuses(events: Array<{ id: string; status: string; message?: string }>): Promise<number> {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              statuses: events.map((e) => ({
                id: e.id,
                status: e.status,
                timestamp: String(Math.floor(Date.now() / 1000)),
                ...(e.message ? { errors: [{ code: 131026, title: e.message, message: e.message }] } : {}),
              })),
            },
          },
        ],
      },
    ],
  });
  const res = await fetch(`${base}/v1/webhooks/sobot`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
  await res.text();
  return res.status;
}

/** Every key of the test prefix with no TTL, but for the allowed singletons. */
async function keysWithoutTtl(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `*${redis.prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      const rest = k.startsWith(`{${redis.prefix}`) ? k.slice(redis.prefix.length + 1) : k.slice(redis.prefix.length);
      if (SINGLETONS.some((r) => r.test(rest)) || BULL_SINGLETON.test(rest)) continue;
      if ((await admin.pttl(k)) === -1) found.push(k);
    }
  } while (cursor !== '0');
  return found;
}

/** Every key of the test prefix. */
async function allKeys(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `*${redis.prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

test('campaigns and API messages leave no key without a TTL, late statuses included; all expire', async () => {
  const campaigns = [
    await upload(['919810000001', '919810000002', '919810000003']),
    await upload(['919810000011', '919810000012']),
  ];
  const sent = await api('/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messages: Array.from({ length: 20 }, (_, i) => ({
        customer_number: `9198200000${String(i).padStart(2, '0')}`,
        customer_name: 'M',
        url: image,
      })),
    }),
  });
  expect(sent.status).toBe(202);
  const { ids } = (await sent.json()) as { ids: string[] };
  for (const id of campaigns) await done(id);
  const messages = await Promise.all(
    ids.map((id) =>
      waitFor(
        async () => {
          const m = messageViewSchema.parse(await (await api(`/v1/messages/${id}`)).json());
          return m.status === 'sent' ? m : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50, what: `message ${id}` },
      ),
    ),
  );
  // Statuses after completion: delivered then read for every message, and one for a wamid nobody sent.
  const wamids = [
    ...(await Promise.all(campaigns.map(report))).flat().map((r) => r.wamid),
    ...messages.map((m) => m.wamid!),
  ];
  expect(wamids.every((w) => w.length > 0)).toBe(true);
  expect(await statuses(wamids.map((id) => ({ id, status: 'delivered' })))).toBe(200);
  expect(
    await statuses([...wamids.map((id) => ({ id, status: 'read' })), { id: 'wamid.unknown', status: 'read' }]),
  ).toBe(200);
  const v = campaignViewSchema.parse(await (await api(`/v1/campaigns/${campaigns[0]}`)).json());
  expect(v.counts).toMatchObject({ sent: 3, read: 3 });

  // Before the retention ends: every key of what ended already has its TTL.
  expect(await keysWithoutTtl()).toEqual([]);
  // After it: the campaigns and messages are gone, and still nothing lives without a TTL.
  await waitFor(async () => (await admin.exists(`${redis.prefix}:{c:${campaigns[0]}}:meta`)) === 0, {
    timeoutMs: (RETENTION_S + 10) * 1000,
    what: 'the campaign to expire',
  });
  const owners = [...campaigns, ...ids.map((id) => id.split('-')[0]!)];
  const left = async () => (await allKeys()).filter((k) => owners.some((id) => k.includes(id)));
  await waitFor(async () => (await left()).length === 0, {
    timeoutMs: (RETENTION_S + 10) * 1000,
    what: 'every campaign and message key to expire',
  }).catch(async () => expect(await left()).toEqual([]));
  // A status for a message whose campaign expired creates nothing.
  expect(await statuses([{ id: wamids[0]!, status: 'read' }])).toBe(200);
  expect(await keysWithoutTtl()).toEqual([]);
  // The indexes forget expired campaigns and messages once another campaign ends, listed or not.
  const later = await upload(['919810000099']);
  await done(later);
  // (The worker ends a campaign, then prunes: awaited.)
  const indexed = async () => [
    ...(await admin.zrange(`${redis.prefix}:campaigns`, 0, -1)),
    ...(await admin.zrange(`${redis.prefix}:messages`, 0, -1)),
  ];
  await waitFor(async () => (await indexed()).length === 1, {
    timeoutMs: 10_000,
    what: 'the indexes to be pruned',
  }).catch(() => undefined);
  expect(await indexed()).toEqual([later]);
});

test('a megabyte of webhook error_message is stored as at most 1 KiB', async () => {
  const id = await upload(['919830000001']);
  await done(id);
  const [row] = await report(id);
  expect(await statuses([{ id: row!.wamid, status: 'failed', message: 'é'.repeat(HUGE / 2) }])).toBe(200);
  const stored = Object.values(await admin.hgetall(`${redis.prefix}:{c:${id}}:d:0`));
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatch(/^failed\|/);
  expect(Buffer.byteLength(stored[0]!, 'utf8')).toBeLessThanOrEqual(1024 + 64);
  expect(Buffer.byteLength(stored[0]!, 'utf8')).toBeGreaterThan(900);
  expect((await report(id))[0]).toMatchObject({ delivery_status: 'failed' });
});

test('an upstream answering a megabyte of error message: Redis and the report hold at most 1 KiB of it', async () => {
  const text = 'x'.repeat(HUGE);
  huge = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 400,
          message: text,
          error: { message: text, type: 'OAuthException', code: 131026, error_data: { details: text } },
        }),
      );
    });
  });
  await new Promise<void>((r) => huge.listen(0, '127.0.0.1', r));
  await worker.close();
  hugeWorker = startSendWorker({
    store,
    log,
    sobot: {
      baseUrl: `http://127.0.0.1:${(huge.address() as AddressInfo).port}`,
      apiKey: 'k',
      apiSecret: 's',
      timeoutMs: 5_000,
    },
    sendRate: 500,
    concurrency: 20,
    maxAttempts: 1,
    frequencyCapHours: 0,
  });
  const id = await upload(['919840000001']);
  await done(id);
  const [row] = await report(id);
  expect(row).toMatchObject({ status: 'failed', error_code: '131026' });
  expect(Buffer.byteLength(row!.error_message, 'utf8')).toBeLessThanOrEqual(1024);
  expect(row!.error_message).toMatch(/^x{100}/);
  let largest = 0;
  for (const k of await allKeys()) {
    if (!k.includes(`{c:${id}}`) || (await admin.type(k)) !== 'hash') continue;
    for (const v of Object.values(await admin.hgetall(k))) largest = Math.max(largest, Buffer.byteLength(v));
  }
  expect(largest).toBeLessThanOrEqual(1024 + 64);
  const view = campaignViewSchema.parse(await (await api(`/v1/campaigns/${id}`)).json());
  expect(JSON.stringify(view).length).toBeLessThan(20_000);
});
