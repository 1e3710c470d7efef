/**
 * Event endpoints (SPEC §16) through the SDK against the real app over HTTP, with a receiver of the test's own on
 * loopback (ALLOW_PRIVATE_URLS): the secret is shown once, the test event verifies with it, a rotation makes both
 * secrets verify, and no secret reaches the log.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SobotBulkApiError, SobotBulkClient, verifyEvent } from '@sobot/client';
import { TestProducers } from './producers';

const KEY = 'events-key';
let producers: TestProducers;
let receiver: Server;
let hook: string;
let sdk: SobotBulkClient;
const logged: string[] = [];
const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  producers = await TestProducers.start(KEY);
  const sink = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
  const { app } = await producers.open({ ALLOW_PRIVATE_URLS: 'true' }, pino({ level: 'trace' }, sink));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  sdk = new SobotBulkClient({ baseUrl: base, token: KEY });
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
});

afterAll(async () => {
  receiver?.close();
  await producers?.close();
});

test('add, list, test, rotate, test, remove: the receiver verifies every event; secrets never logged', async () => {
  const ep = await sdk.createEventEndpoint({
    url: hook,
    events: ['message.sent', 'message.failed'],
    description: 'shop',
  });
  expect(ep).toMatchObject({ url: hook, events: ['message.sent', 'message.failed'], description: 'shop' });
  expect((await sdk.listEventEndpoints()).endpoints).toEqual([
    { id: ep.id, url: hook, events: ep.events, campaign_id: null, description: 'shop', created_at: ep.created_at },
  ]);
  expect(await sdk.getEventEndpoint(ep.id)).not.toHaveProperty('secret');

  const first = await sdk.testEventEndpoint(ep.id);
  expect(first).toMatchObject({ ok: true, status: 200, error: null });
  expect(received).toHaveLength(1);
  expect(verifyEvent(received[0]!.body, received[0]!.headers, ep.secret)).toMatchObject({
    id: first.event_id,
    type: 'endpoint.test',
  });

  const rotated = await sdk.rotateEventEndpointSecret(ep.id);
  const second = await sdk.testEventEndpoint(ep.id);
  expect(second.ok).toBe(true);
  const last = received[1]!;
  expect(last.headers['webhook-id']).toBe(second.event_id);
  expect(verifyEvent(last.body, last.headers, ep.secret).id).toBe(second.event_id);
  expect(verifyEvent(last.body, last.headers, rotated.secret).id).toBe(second.event_id);

  expect((await sdk.removeEventEndpoint(ep.id)).id).toBe(ep.id);
  await expect(sdk.getEventEndpoint(ep.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
  const refused = await sdk.createEventEndpoint({ url: 'gopher://x.example/' }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(SobotBulkApiError);
  expect(refused).toMatchObject({ status: 400, code: 'INVALID_URL' });

  expect(logged.length).toBeGreaterThan(0);
  const log = logged.join('');
  for (const secret of [ep.secret, rotated.secret]) {
    expect(log).not.toContain(secret);
    expect(log).not.toContain(secret.slice('whsec_'.length));
  }
});
