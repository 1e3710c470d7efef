/**
 * The delivery engine (SPEC §16) against a real Redis and a real receiver over loopback: what arrives, signed how,
 * retried when, disabled by 410, replayed. The schedule is shrunk by policy, never waited out.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { CHUNK_SIZE, Store, type Outcome } from '@sobot/store';
import { EventDispatcher, newSecret, rotateEndpointSecret, type EventPolicy } from '../src';

let redis: TestRedis;
let store: Store;
let receiver: Server;
let base: string;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  json: { id: string; type: string; created_at: string; data: Record<string, unknown> };
}
let received: Received[] = [];
/** What the receiver does with a request (default: 204). */
let answer: (res: ServerResponse, r: Received) => void = (res) => res.writeHead(204).end();

const POLICY: Partial<EventPolicy> = {
  scheduleMs: [40, 40, 40],
  jitter: 0,
  pollMs: 20,
  endpointsEveryMs: 50,
  leaseMs: 5_000,
  timeoutMs: 5_000,
};
const dispatchers: EventDispatcher[] = [];
const dispatcher = (policy: Partial<EventPolicy> = {}) => {
  const d = new EventDispatcher(store, pino({ level: 'silent' }), {
    allowPrivateUrls: true,
    policy: { ...POLICY, ...policy },
  }).start();
  dispatchers.push(d);
  return d;
};

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const r: Received = { headers: req.headers, body, json: JSON.parse(body) as Received['json'] };
    received.push(r);
    answer(res, r);
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  for (const ep of await store.eventEndpoints.list()) await store.eventEndpoints.remove(ep.id);
  received = [];
  answer = (res) => res.writeHead(204).end();
});

afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await store?.close();
  await redis?.close();
});

async function endpoint(opts: { events?: string[]; campaignId?: string; url?: string } = {}) {
  const secret = newSecret();
  const ep = await store.eventEndpoints.create(
    {
      url: opts.url ?? `${base}/hook`,
      events: opts.events ?? [
        'message.sent',
        'message.failed',
        'message.skipped',
        'message.delivered',
        'message.read',
        'campaign.completed',
        'campaign.paused',
      ],
      campaignId: opts.campaignId,
    },
    secret,
  );
  store.outbox.reset();
  return { ...ep, secret };
}

const number = (i: number) => `91980000${String(i).padStart(4, '0')}`;

/** An API campaign of `n` messages, message i with metadata `{order: "o-<i>"}`. */
async function apiCampaign(n: number): Promise<string> {
  const w = store.newCampaign({ image_url: 'https://cdn.example.com/a.jpg' });
  const metadata = new Map<number, string>();
  for (let i = 0; i < n; i += 1) {
    await w.add({
      type: 'image',
      url: 'https://cdn.example.com/a.jpg',
      mime_type: 'image/jpeg',
      customer_number: number(i),
      customer_name: `N${i}`,
    });
    metadata.set(i, JSON.stringify({ order: `o-${i}` }));
  }
  await w.commit({ name: 'api', source: 'api', defaults: {}, total: n, rejected: 0, duplicates: 0, metadata });
  return w.campaignId;
}

const base0 = { attempts: 1, rounds: 0, at: Date.now(), wamid: '', code: '', message: '' };
const outcome = (i: number): Outcome =>
  i % 3 === 0
    ? { ...base0, kind: 's', wamid: `wamid.${i}` }
    : i % 3 === 1
      ? { ...base0, kind: 'f', code: '131026', message: 'not on WhatsApp' }
      : { ...base0, kind: 'k', code: 'SUPPRESSED', message: 'suppressed' };

async function recordAll(id: string, n: number, twice = false) {
  for (let i = 0; i < n; i += 1) {
    const entry = [{ offset: i % CHUNK_SIZE, outcome: outcome(i) }];
    await store.ledger.record(id, Math.floor(i / CHUNK_SIZE), CHUNK_SIZE, entry, 'api');
    if (twice) await store.ledger.record(id, Math.floor(i / CHUNK_SIZE), CHUNK_SIZE, entry, 'api');
  }
}

const ofType = (t: string) => received.filter((r) => r.json.type === t);

test('one terminal event per message, with its metadata, signed as the spec says', async () => {
  const ep = await endpoint();
  dispatcher();
  const id = await apiCampaign(6);
  await recordAll(id, 6, true);
  await waitFor(() => ofType('campaign.completed').length === 1 || undefined, { timeoutMs: 20_000 });
  await waitFor(() => received.length >= 7 || undefined, { timeoutMs: 20_000 });
  const terminal = received.filter((r) => /^message\.(sent|failed|skipped)$/.test(r.json.type));
  expect(terminal.map((r) => r.json.data.message_id).sort()).toEqual(
    [0, 1, 2, 3, 4, 5].map((i) => `${id}-${i}`).sort(),
  );
  for (const r of terminal) {
    const i = Number(String(r.json.data.message_id).split('-')[1]);
    expect(r.json).toMatchObject({
      type: ['message.sent', 'message.failed', 'message.skipped'][i % 3],
      data: { campaign_id: id, customer_number: number(i), metadata: { order: `o-${i}` } },
    });
    if (i % 3 === 0) expect(r.json.data.wamid).toBe(`wamid.${i}`);
    if (i % 3 === 1) expect(r.json.data).toMatchObject({ code: '131026', reason: 'not on WhatsApp' });
    // The reference implementation verifies it, and so does a ten-line HMAC of the spec.
    expect(new Webhook(ep.secret).verify(r.body, r.headers as Record<string, string>)).toEqual(r.json);
    const key = Buffer.from(ep.secret.slice('whsec_'.length), 'base64');
    const signed = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`;
    expect(r.headers['webhook-signature']).toBe(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);
    expect(r.headers['webhook-id']).toBe(r.json.id);
  }
  expect(ofType('campaign.completed')[0]!.json.data).toMatchObject({
    campaign_id: id,
    counts: { accepted: 6, sent: 2, failed: 2, skipped: 2 },
  });
  // A delivered then read status is one event each; the same status again is none.
  await store.deliveries.record({ wamid: 'wamid.0', status: 'delivered', at: Date.now() });
  await store.deliveries.record({ wamid: 'wamid.0', status: 'delivered', at: Date.now() });
  await store.deliveries.record({ wamid: 'wamid.0', status: 'read', at: Date.now() });
  await waitFor(() => ofType('message.read').length === 1 || undefined, { timeoutMs: 20_000 });
  expect(ofType('message.delivered')).toHaveLength(1);
  expect(ofType('message.read')[0]!.json.data).toMatchObject({ message_id: `${id}-0`, wamid: 'wamid.0' });
  expect(new Set(received.map((r) => r.json.id)).size).toBe(received.length);
  const health = await store.eventDeliveries.health(ep.id);
  expect(health).toMatchObject({ succeeded: received.length, failed: 0, backlog: 0, failingSince: null });
});

test('filters: an endpoint gets only its types and its campaign', async () => {
  const a = await apiCampaign(2);
  const b = await apiCampaign(2);
  await endpoint({ events: ['message.failed'], campaignId: b });
  dispatcher();
  await recordAll(a, 2);
  await recordAll(b, 2);
  await waitFor(() => received.length >= 1 || undefined, { timeoutMs: 20_000 });
  // Nothing more is due: the sources are read to their end and the queue is empty.
  await waitFor(async () => ((await store.outboxPump.sources(10)).length === 0 ? true : undefined));
  await waitFor(async () =>
    (await store.eventDeliveries.list((await store.eventEndpoints.list())[0]!.id, 'pending')).length === 0
      ? true
      : undefined,
  );
  expect(received.map((r) => [r.json.type, r.json.data.message_id])).toEqual([['message.failed', `${b}-1`]]);
});

test('503 with Retry-After and a receiver down for a while: retried until it answers, same webhook-id', async () => {
  const ep = await endpoint({ events: ['message.sent'] });
  let calls = 0;
  answer = (res) => {
    calls += 1;
    if (calls === 1) res.writeHead(503, { 'retry-after': '0' }).end();
    else if (calls === 2)
      res.socket?.destroy(); // the connection drops: unreachable
    else res.writeHead(204).end();
  };
  dispatcher();
  const id = await apiCampaign(1);
  await recordAll(id, 1);
  await waitFor(async () => ((await store.eventDeliveries.health(ep.id)).succeeded === 1 ? true : undefined), {
    timeoutMs: 20_000,
  });
  expect(received.length).toBe(3);
  expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  const health = await store.eventDeliveries.health(ep.id);
  expect(health).toMatchObject({ retried: 2, failed: 0, failingSince: null, lastStatus: 204 });
  expect(await store.eventDeliveries.list(ep.id, 'succeeded')).toMatchObject([
    { id: received[0]!.json.id, type: 'message.sent', attempts: 3, status: 'succeeded' },
  ]);
});

test('the schedule spent: failed, kept and listed; replay (one, then all since a time) delivers them', async () => {
  const ep = await endpoint({ events: ['message.sent'] });
  answer = (res) => res.writeHead(500).end();
  dispatcher();
  const id = await apiCampaign(4);
  await recordAll(id, 4); // messages 0 and 3 are sent
  await waitFor(async () => ((await store.eventDeliveries.health(ep.id)).failed === 2 ? true : undefined), {
    timeoutMs: 20_000,
  });
  expect(received).toHaveLength(8); // 1 attempt + 3 retries each
  const failed = await store.eventDeliveries.list(ep.id, 'failed');
  expect(failed.map((f) => [f.type, f.attempts, f.last_status])).toEqual([
    ['message.sent', 4, 500],
    ['message.sent', 4, 500],
  ]);
  expect((await store.eventDeliveries.health(ep.id)).failingSince).not.toBeNull();

  received = [];
  answer = (res) => res.writeHead(200).end();
  expect(await store.eventDeliveries.replay(ep.id, { id: failed[0]!.id })).toBe(1);
  await waitFor(() => received.length === 1 || undefined, { timeoutMs: 20_000 });
  expect(received[0]!.json.id).toBe(failed[0]!.id);
  expect(await store.eventDeliveries.replay(ep.id, { sinceMs: 0 })).toBe(1);
  await waitFor(() => received.length === 2 || undefined, { timeoutMs: 20_000 });
  expect(received[1]!.json.id).toBe(failed[1]!.id);
  await waitFor(async () => ((await store.eventDeliveries.health(ep.id)).failingSince === null ? true : undefined));
  expect(await store.eventDeliveries.list(ep.id, 'failed')).toEqual([]);
});

test('410 disables the endpoint: nothing more is sent, the backlog is kept; a replay re-enables it', async () => {
  const ep = await endpoint({ events: ['message.sent'] });
  answer = (res) => res.writeHead(410).end();
  dispatcher();
  const id = await apiCampaign(7);
  await recordAll(id, 7); // 0, 3, 6 sent
  await waitFor(async () => ((await store.eventEndpoints.get(ep.id))?.disabledAt ? true : undefined), {
    timeoutMs: 20_000,
  });
  await waitFor(async () => ((await store.eventDeliveries.health(ep.id)).backlog === 3 ? true : undefined));
  const seen = received.length;
  expect(seen).toBeGreaterThanOrEqual(1);
  expect(seen).toBeLessThanOrEqual(3); // the in-flight ones at most (concurrency), then it stops
  answer = (res) => res.writeHead(204).end();
  await store.eventDeliveries.replay(ep.id, { sinceMs: 0 }); // nothing failed; re-enables
  await waitFor(async () => ((await store.eventDeliveries.health(ep.id)).backlog === 0 ? true : undefined), {
    timeoutMs: 20_000,
  });
  expect((await store.eventEndpoints.get(ep.id))?.disabledAt).toBeNull();
  expect(new Set(received.slice(seen).map((r) => r.json.data.message_id)).size).toBe(3);
});

test('after a rotation both secrets sign, and each verifies on its own', async () => {
  const ep = await endpoint({ events: ['message.sent'] });
  const rotated = await rotateEndpointSecret({ store } as never, ep.id);
  dispatcher();
  const id = await apiCampaign(1);
  await recordAll(id, 1);
  await waitFor(() => received.length === 1 || undefined, { timeoutMs: 20_000 });
  const r = received[0]!;
  expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
  for (const secret of [ep.secret, rotated.secret]) {
    expect(new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).toEqual(r.json);
  }
  expect(() => new Webhook(newSecret()).verify(r.body, r.headers as Record<string, string>)).toThrow();
});

test('a slow endpoint does not delay another one', async () => {
  const slow = await endpoint({ events: ['message.sent'], url: `${base}/slow` });
  const fast = await endpoint({ events: ['message.sent'], url: `${base}/fast` });
  const held: ServerResponse[] = [];
  let holding = true;
  answer = (res) => {
    if (holding && res.req.url === '/slow') held.push(res);
    else res.writeHead(204).end();
  };
  dispatcher({ concurrency: 2 });
  const id = await apiCampaign(30); // 10 sent
  await recordAll(id, 30);
  await waitFor(async () => ((await store.eventDeliveries.health(fast.id)).succeeded === 10 ? true : undefined), {
    timeoutMs: 20_000,
  });
  expect(held.length).toBe(2); // the slow one holds its two slots, nothing more
  expect((await store.eventDeliveries.health(slow.id)).backlog).toBe(10);
  holding = false;
  for (const res of held) res.writeHead(204).end();
  await waitFor(async () => ((await store.eventDeliveries.health(slow.id)).succeeded === 10 ? true : undefined), {
    timeoutMs: 20_000,
  });
});
