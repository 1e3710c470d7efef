/**
 * SPEC §16 with real processes: the producer and worker processes, the sandbox as the upstream, and a receiver of
 * the test's own on loopback that is down at first. A worker is killed -9 while events are waiting for it; a new
 * worker delivers every one. Failed deliveries are listed and replayed through the API.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { freePort, startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';
import { verifyEvent } from '@sobot/client';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  json: { id: string; type: string; data: Record<string, unknown> };
  path: string;
}

let sandbox: Sandbox;
let redis: TestRedis;
let sys: System;
let receiver: Server | undefined;
let port: number;
const received: Received[] = [];
let answer: (res: ServerResponse, r: Received) => void = (res) => res.writeHead(204).end();

async function startReceiver(): Promise<void> {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const r = { headers: req.headers, body, json: JSON.parse(body) as Received['json'], path: req.url ?? '' };
    received.push(r);
    answer(res, r);
  });
  receiver.listen(port, '127.0.0.1');
  await once(receiver, 'listening');
}

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 5 } });
  redis = await startTestRedis();
  port = await freePort();
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workers: 0,
    workerEnv: {
      SEND_RATE: '40',
      ALLOW_PRIVATE_URLS: 'true',
      // Retries over ~60 s: the receiver comes back well within them, however slow the machine.
      EVENT_RETRY_SCHEDULE_MS: '500,1000,2000,4000,8000,16000,30000',
      EVENT_TIMEOUT_MS: '1000',
    },
  });
}, 90_000);

afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await sys?.close();
  await redis?.close();
  await sandbox?.close();
});

const post = async (path: string, body: unknown) => {
  const res = await sys.api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const get = async (path: string) => (await (await sys.api(path)).json()) as Record<string, any>;

test('kill -9 of the worker while events wait for a receiver that is down: every message gets its event', async () => {
  const ep = await post('/v1/event-endpoints', {
    url: `http://127.0.0.1:${port}/hook`,
    events: ['message.sent', 'message.failed', 'message.skipped', 'campaign.completed'],
  });
  expect(ep.status).toBe(201);
  sys.addWorker();
  const image = `${sandbox.url}/images/sample.jpg`;
  const n = 40;
  const messages = Array.from({ length: n }, (_, i) => ({
    customer_number: `9198${String(i).padStart(8, '0')}`,
    customer_name: `N${i}`,
    url: image,
    metadata: { order: `A-${i}` },
  }));
  const sent = await post('/v1/messages', { messages });
  expect(sent.status).toBe(202);
  const ids: string[] = sent.body.ids;
  // The receiver is down: events wait (outbox, queue, retries) while the worker sends; kill it half-way.
  await waitFor(() => sandbox.stats().accepted >= n / 2 || undefined, { timeoutMs: 60_000, what: 'half sent' });
  await sys.workers.at(-1)!.stop('SIGKILL');
  const backlog = await get(`/v1/event-endpoints/${ep.body.id}/health`);
  expect(backlog.backlog + backlog.succeeded).toBeLessThanOrEqual(n + 1);
  await startReceiver();
  sys.addWorker();
  await waitFor(
    () =>
      new Set(received.filter((r) => r.json.type.startsWith('message.')).map((r) => r.json.id)).size === n || undefined,
    { timeoutMs: 60_000, what: 'an event per message' },
  );
  await waitFor(() => received.some((r) => r.json.type === 'campaign.completed') || undefined, { timeoutMs: 30_000 });
  const byMessage = new Map<string, Received[]>();
  for (const r of received.filter((x) => x.json.type.startsWith('message.'))) {
    const list = byMessage.get(String(r.json.data.message_id)) ?? [];
    list.push(r);
    byMessage.set(String(r.json.data.message_id), list);
  }
  expect([...byMessage.keys()].sort()).toEqual([...ids].sort());
  for (const [id, list] of byMessage) {
    // At least once: a repeat carries the same webhook-id, so a receiver deduplicates.
    expect(new Set(list.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const i = ids.indexOf(id);
    expect(list[0]!.json).toMatchObject({ type: 'message.sent', data: { metadata: { order: `A-${i}` } } });
    expect(() => verifyEvent(list[0]!.body, list[0]!.headers, ep.body.secret)).not.toThrow();
  }
  const ok = await get(`/v1/event-endpoints/${ep.body.id}/deliveries?status=succeeded&limit=1000`);
  expect(ok.deliveries.length).toBeGreaterThanOrEqual(n + 1);
}, 180_000);

test('a receiver that keeps failing: the delivery is failed, listed, and replayed through the API', async () => {
  let failing = true;
  answer = (res, r) => res.writeHead(failing && r.path === '/b' ? 500 : 204).end();
  const ep = await post('/v1/event-endpoints', { url: `http://127.0.0.1:${port}/b`, events: ['campaign.completed'] });
  // A worker whose schedule is spent in about a second.
  await sys.workers.at(-1)!.stop('SIGTERM');
  sys.addWorker({ EVENT_RETRY_SCHEDULE_MS: '100,100,100,100,100,100,100' });
  // The first test's endpoint is still there: the worker writes events already (none is promised before an
  // endpoint exists + 1 s); this one gets them from its creation.
  const sent = await post('/v1/messages', {
    customer_number: '919900000001',
    customer_name: 'R',
    url: `${sandbox.url}/images/sample.jpg`,
  });
  expect(sent.status).toBe(202);
  const path = `/v1/event-endpoints/${ep.body.id}/deliveries?status=failed`;
  const failed = await waitFor(async () => ((await get(path)).deliveries as any[]).find(() => true), {
    timeoutMs: 60_000,
    what: 'a failed delivery',
  });
  expect(failed).toMatchObject({ type: 'campaign.completed', status: 'failed', attempts: 8, last_status: 500 });
  const health = await get(`/v1/event-endpoints/${ep.body.id}/health`);
  expect(health).toMatchObject({ failed: 1, failed_kept: 1, last_status: 500 });
  expect(health.failing_since).not.toBeNull();

  failing = false;
  const before = received.length;
  const bad = await post(`/v1/event-endpoints/${ep.body.id}/replay`, { delivery_id: 'evt_nope' });
  expect(bad.status).toBe(404);
  const replay = await post(`/v1/event-endpoints/${ep.body.id}/replay`, { delivery_id: failed.id });
  expect(replay).toEqual({ status: 200, body: { replayed: 1 } });
  await waitFor(() => received.slice(before).some((r) => r.json.id === failed.id) || undefined, {
    timeoutMs: 30_000,
  });
  expect((await get(path)).deliveries).toEqual([]);
  await waitFor(async () =>
    (await get(`/v1/event-endpoints/${ep.body.id}/health`)).failing_since === null ? true : undefined,
  );
}, 120_000);
