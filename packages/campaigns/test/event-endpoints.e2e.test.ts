import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { verifyEvent } from '@sobot/client';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { eventEndpointBodySchema, EVENT_TYPES } from '@sobot/schema';
import { NotFoundError, Store } from '@sobot/store';
import {
  attemptDelivery,
  checkEndpointUrl,
  createEventEndpoint,
  eventRetryAfterMs,
  getEventEndpoint,
  InputError,
  listEventEndpoints,
  removeEventEndpoint,
  rotateEndpointSecret,
  testEventEndpoint,
} from '../src';
import type { Resolve } from '../src/public-address';

let redis: TestRedis;
let store: Store;
let receiver: Server;
let base: string;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
/** What the receiver does with the next request (default: 204). */
let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    answer(res);
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await store?.close();
  await redis?.close();
});

beforeEach(() => {
  received.length = 0;
  answer = (res) => res.writeHead(204).end();
});

const sandbox = () => ({ store, cfg: { ALLOW_PRIVATE_URLS: true } });
const production = () => ({ store, cfg: { ALLOW_PRIVATE_URLS: false } });
const body = (b: unknown) => eventEndpointBodySchema.parse(b);
/** A resolver that answers `addresses` for every name. */
const resolveTo =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('the public-address rule (§14) for endpoint URLs', () => {
  it('refuses loopback, private and metadata addresses, names resolving to them, and non-http URLs', async () => {
    for (const url of ['http://127.0.0.1/x', 'http://10.0.0.1/x', 'http://169.254.169.254/', 'http://[::1]/']) {
      await expect(checkEndpointUrl(url, false)).rejects.toMatchObject({ code: 'URL_NOT_PUBLIC' });
    }
    await expect(
      checkEndpointUrl('https://hooks.example/x', false, resolveTo('93.184.215.14', '192.168.1.2')),
    ).rejects.toMatchObject({ code: 'URL_NOT_PUBLIC' });
    for (const url of ['ftp://hooks.example/', 'not a url', 'https://u:p@hooks.example/']) {
      await expect(checkEndpointUrl(url, false)).rejects.toMatchObject({ code: 'INVALID_URL' });
    }
    const ok = await checkEndpointUrl('https://hooks.example/x', false, resolveTo('93.184.215.14'));
    expect(ok.href).toBe('https://hooks.example/x');
    await expect(createEventEndpoint(production(), body({ url: `${base}/hook` }))).rejects.toBeInstanceOf(InputError);
    expect((await listEventEndpoints(production())).endpoints).toEqual([]);
  });

  it('ALLOW_PRIVATE_URLS lets loopback through', async () => {
    expect((await checkEndpointUrl(`${base}/hook`, true)).port).not.toBe('');
  });

  it('is checked again at delivery, on the address connected to (DNS may have changed)', async () => {
    // The name resolved publicly at creation; now it points at loopback: the attempt refuses to connect.
    const result = await attemptDelivery(
      `http://hooks.example:${new URL(base).port}/hook`,
      ['whsec_' + Buffer.alloc(32, 9).toString('base64')],
      'evt_dns',
      '{}',
      { resolve: resolveTo('127.0.0.1') },
    );
    expect(result).toMatchObject({ ok: false, status: null, error: 'address' });
    expect(received).toHaveLength(0);
  });
});

describe('event endpoints', () => {
  it('create shows the secret once; list and get never do; events default to all, kept in the enum order', async () => {
    const created = await createEventEndpoint(
      sandbox(),
      body({ url: `${base}/a`, events: ['message.failed', 'message.sent'], description: 'orders' }),
    );
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ url: `${base}/a`, events: ['message.sent', 'message.failed'], campaign_id: null });
    const all = await createEventEndpoint(sandbox(), body({ url: `${base}/b`, campaign_id: 'c0000000000000aa' }));
    expect(all.events).toEqual([...EVENT_TYPES]);
    const { secret: _, ...view } = created;
    expect(await getEventEndpoint(sandbox(), created.id)).toEqual(view);
    const list = await listEventEndpoints(sandbox());
    expect(list.endpoints.map((e) => e.id)).toEqual([created.id, all.id]);
    expect(JSON.stringify(list)).not.toContain('whsec_');

    expect(await removeEventEndpoint(sandbox(), created.id)).toEqual(view);
    await expect(getEventEndpoint(sandbox(), created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeEventEndpoint(sandbox(), created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(rotateEndpointSecret(sandbox(), created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(testEventEndpoint(sandbox(), 'ep_nope')).rejects.toBeInstanceOf(NotFoundError);
    await removeEventEndpoint(sandbox(), all.id);
  });

  it('the schema refuses unknown event types, an empty list and unknown fields', () => {
    expect(eventEndpointBodySchema.safeParse({ url: 'https://x.example', events: ['message.lost'] }).success).toBe(
      false,
    );
    expect(eventEndpointBodySchema.safeParse({ url: 'https://x.example', events: [] }).success).toBe(false);
    expect(eventEndpointBodySchema.safeParse({ url: 'https://x.example', secret: 'whsec_x' }).success).toBe(false);
  });

  it('test sends a signed endpoint.test event that verifies with the reference implementation and SDK', async () => {
    const ep = await createEventEndpoint(sandbox(), body({ url: `${base}/t` }));
    const result = await testEventEndpoint(sandbox(), ep.id);
    expect(result).toMatchObject({ ok: true, status: 204, error: null });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.headers['webhook-id']).toBe(result.event_id);
    expect(req!.headers['content-type']).toBe('application/json');
    const headers = {
      'webhook-id': String(req!.headers['webhook-id']),
      'webhook-timestamp': String(req!.headers['webhook-timestamp']),
      'webhook-signature': String(req!.headers['webhook-signature']),
    };
    expect(new Webhook(ep.secret).verify(req!.body, headers)).toMatchObject({ type: 'endpoint.test' });
    const event = verifyEvent(req!.body, req!.headers, ep.secret);
    expect(event).toMatchObject({ id: result.event_id, type: 'endpoint.test', data: { endpoint_id: ep.id } });
    await removeEventEndpoint(sandbox(), ep.id);
  });

  it('after a rotation the test event carries both signatures: the old and the new secret verify', async () => {
    const ep = await createEventEndpoint(sandbox(), body({ url: `${base}/r` }));
    const rotated = await rotateEndpointSecret(sandbox(), ep.id);
    expect(rotated.secret).not.toBe(ep.secret);
    const expires = Date.parse(rotated.previous_secret_expires_at) - Date.now();
    expect(expires).toBeGreaterThan(23.9 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(24 * 3_600_000);
    await testEventEndpoint(sandbox(), ep.id);
    const [req] = received;
    expect(String(req!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [ep.secret, rotated.secret]) {
      expect(verifyEvent(req!.body, req!.headers, secret).type).toBe('endpoint.test');
    }
    expect(() => verifyEvent(req!.body, req!.headers, 'whsec_' + Buffer.alloc(32).toString('base64'))).toThrow();
    await removeEventEndpoint(sandbox(), ep.id);
  });

  it("test answers the receiver's status and Retry-After, an unreachable URL, a timeout; never a stack", async () => {
    const ep = await createEventEndpoint(sandbox(), body({ url: `${base}/e` }));
    answer = (res) => res.writeHead(503, { 'retry-after': '7' }).end('busy');
    expect(await testEventEndpoint(sandbox(), ep.id)).toMatchObject({ ok: false, status: 503, error: null });
    const attempt = await attemptDelivery(`${base}/e`, [ep.secret], 'evt_ra', '{}', { allowPrivateUrls: true });
    expect(attempt).toMatchObject({ status: 503, retryAfterMs: 7_000 });

    answer = (res) => res.writeHead(410).end();
    expect(await testEventEndpoint(sandbox(), ep.id)).toMatchObject({ ok: false, status: 410 });

    // A receiver that never answers: the timeout ends the attempt.
    answer = () => undefined;
    const slow = await testEventEndpoint(sandbox(), ep.id, { timeoutMs: 300 });
    expect(slow).toMatchObject({ ok: false, status: null, error: 'timeout' });
    expect(slow.duration_ms).toBeGreaterThanOrEqual(250);

    // A closed port: unreachable.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const gone = await createEventEndpoint(sandbox(), body({ url: `http://127.0.0.1:${port}/x` }));
    const result = await testEventEndpoint(sandbox(), gone.id);
    expect(result).toEqual({
      event_id: expect.any(String),
      ok: false,
      status: null,
      error: 'unreachable',
      duration_ms: expect.any(Number),
    });
    await removeEventEndpoint(sandbox(), ep.id);
    await removeEventEndpoint(sandbox(), gone.id);
  });

  it('Retry-After reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-12-08T00:00:00Z');
    expect(eventRetryAfterMs('120', now)).toBe(120_000);
    expect(eventRetryAfterMs('Tue, 08 Dec 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(eventRetryAfterMs('Mon, 07 Dec 2026 00:00:30 GMT', now)).toBe(0);
    expect(eventRetryAfterMs('soon', now)).toBeUndefined();
    expect(eventRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
