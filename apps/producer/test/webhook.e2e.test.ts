/**
 * The delivery and inbound webhook (SPEC §5, §12, §14; issue 13, issue 14 finding 6) through a real producer
 * listening on loopback, a real Redis and the real sandbox: nobody can forge it, floods cannot hurt it,
 * and inbound messages open windows and move the suppression list.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import IORedis from 'ioredis';
import { createLogger } from '@sobot/config';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { AUDIENCE, type Store } from '@sobot/store';
import { TestProducers } from './producers';

const API_KEY = 'webhook-test-key';
const HOOK_TOKEN = 'hook-token-8c1d';
const APP_SECRET = 'app-secret-77f0';

let producers: TestProducers;
let admin: IORedis;
const sandboxes: Sandbox[] = [];

interface Producer {
  url: string;
  store: Store;
}

/** Every line the producers under test logged (at debug: request lines included). */
const logged: string[] = [];

async function producer(env: Record<string, string> = {}): Promise<Producer> {
  const logger = createLogger('producer', 'debug', {}, { write: (line: string) => void logged.push(line) });
  const { app, store } = await producers.open(env, logger);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, store };
}

const sign = (body: string | Buffer, secret = APP_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function post(
  p: Producer,
  body: string,
  { query = '', headers = {} }: { query?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.url}/v1/webhooks/sobot${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A Meta-style delivery status body. */
const metaStatus = (wamid: string, status: string) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      { id: '1', changes: [{ field: 'messages', value: { statuses: [{ id: wamid, status, timestamp: '1' }] } }] },
    ],
  });

/** A campaign of `numbers` uploaded over the API, its first recipient recorded as sent with `wamid`. */
async function sentMessage(p: Producer, wamid: string): Promise<string> {
  // force=true: each test uploads this one list again (not a double by accident, SPEC §20).
  const image = encodeURIComponent('https://cdn.example.com/a.jpg');
  const res = await fetch(`${p.url}/v1/campaigns?image_url=${image}&force=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' },
    body: 'customer_number,customer_name\n919970000001,Asha\n',
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const outcome = { kind: 's' as const, attempts: 1, rounds: 0, at: Date.now(), wamid, code: '', message: '' };
  await p.store.ledger.record(id, 0, 200, [{ offset: 0, outcome }]);
  return id;
}

async function deliveryCounts(p: Producer, id: string): Promise<{ delivered: number; read: number }> {
  const res = await fetch(`${p.url}/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return ((await res.json()) as { counts: { delivered: number; read: number } }).counts;
}

/** Redis calls per command since the last CONFIG RESETSTAT. */
async function commandCalls(): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const line of (await admin.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m?.[1] && m[2]) calls[m[1]] = Number(m[2]);
  }
  return calls;
}

beforeAll(async () => {
  producers = await TestProducers.start(API_KEY, { own: true }); // INFO commandstats counts the whole server
  admin = new IORedis(producers.redis.url);
});

afterAll(async () => {
  // Nothing any test sent or configured as a credential reached a log line, nor a sender's full number.
  const text = logged.join('');
  expect(logged.length).toBeGreaterThan(0);
  for (const secret of [HOOK_TOKEN, APP_SECRET, 'hook-token', 'app-secret', '919970585556', '919970585562'])
    expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  for (const s of sandboxes) await s.close();
  admin?.disconnect();
  await producers?.close();
});

describe('who may post (SPEC §14)', () => {
  it('is closed by default: 401 (error shape) without a token, an app secret or WEBHOOK_OPEN', async () => {
    const closed = await producer();
    const body = JSON.stringify({ id: 'wamid.X', status: 'failed' });
    for (const query of ['', '?token=', '?token=anything']) {
      const res = await post(closed, body, { query });
      expect(res).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.any(String) } } });
    }
    expect((await post(closed, body, { headers: { 'x-hub-signature-256': sign(body) } })).status).toBe(401);

    expect(logged.join('')).toContain('the webhook refuses every event (401)');
    const open = await producer({ WEBHOOK_OPEN: 'true' });
    expect(logged.join('')).toContain('WEBHOOK_OPEN=true: the webhook takes events from anyone');
    expect(await post(open, body)).toMatchObject({ status: 200, body: { received: 1, unknown: 1 } });
  });

  it('takes ?token= equal to WEBHOOK_TOKEN only, and applies the event', async () => {
    const p = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN });
    const id = await sentMessage(p, 'wamid.TOKEN1');
    const body = metaStatus('wamid.TOKEN1', 'read');
    for (const query of ['', '?token=', '?token=wrong', `?token=${HOOK_TOKEN}x`, `?token=${HOOK_TOKEN.slice(1)}`]) {
      expect({ query, status: (await post(p, body, { query })).status }).toEqual({ query, status: 401 });
    }
    expect(await deliveryCounts(p, id)).toMatchObject({ delivered: 0, read: 0 });
    expect(await post(p, body, { query: `?token=${HOOK_TOKEN}` })).toMatchObject({
      status: 200,
      body: { received: 1, applied: 1, unknown: 0 },
    });
    expect(await deliveryCounts(p, id)).toMatchObject({ delivered: 1, read: 1 });
  });

  it('takes a valid X-Hub-Signature-256 of the raw bytes; a wrong one or a body changed after is 401', async () => {
    const p = await producer({ WEBHOOK_APP_SECRET: APP_SECRET });
    const id = await sentMessage(p, 'wamid.SIGNED1');
    const body = metaStatus('wamid.SIGNED1', 'delivered');
    const forged: Array<Record<string, string>> = [
      { 'x-hub-signature-256': sign(body, 'another-secret') },
      { 'x-hub-signature-256': 'sha256=' },
      { 'x-hub-signature-256': sign(body).slice(0, -1) },
      { 'x-hub-signature-256': sign(body).replace('sha256=', 'sha1=') },
      {},
    ];
    for (const headers of forged) expect((await post(p, body, { headers })).status).toBe(401);
    // Signed, then changed: one status upgraded by a man in the middle.
    const changed = body.replace('delivered', 'read');
    expect((await post(p, changed, { headers: { 'x-hub-signature-256': sign(body) } })).status).toBe(401);
    // Same JSON, other bytes (a space): the signature is over the bytes, not the parsed value.
    expect((await post(p, `${body} `, { headers: { 'x-hub-signature-256': sign(body) } })).status).toBe(401);
    expect(await deliveryCounts(p, id)).toMatchObject({ delivered: 0 });

    const ok = await post(p, body, { headers: { 'x-hub-signature-256': sign(body) } });
    expect(ok).toMatchObject({ status: 200, body: { received: 1, applied: 1 } });
    expect(await deliveryCounts(p, id)).toMatchObject({ delivered: 1, read: 0 });
  });

  it('reads a Meta body sent as text/plain (or with no content type) as JSON', async () => {
    const p = await producer({ WEBHOOK_APP_SECRET: APP_SECRET, WEBHOOK_TOKEN: HOOK_TOKEN });
    await sentMessage(p, 'wamid.PLAIN1');
    const body = metaStatus('wamid.PLAIN1', 'delivered');
    const plain = await post(p, body, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-hub-signature-256': sign(body) },
    });
    expect(plain).toMatchObject({ status: 200, body: { received: 1, applied: 1 } });
    const res = await fetch(`${p.url}/v1/webhooks/sobot?token=${HOOK_TOKEN}`, {
      method: 'POST',
      body: new Blob([metaStatus('wamid.PLAIN1', 'read')]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 1, applied: 1 });
    const bad = await post(p, '{"entry":', { query: `?token=${HOOK_TOKEN}` });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    const shape = await post(p, '{"nothing":true}', { query: `?token=${HOOK_TOKEN}` });
    expect(shape).toMatchObject({ status: 400, body: { error: { code: 'INVALID_WEBHOOK' } } });
  });

  it("answers Meta's GET handshake with the challenge as text/plain, 403 in the error shape otherwise", async () => {
    const p = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN });
    const ok = await fetch(
      `${p.url}/v1/webhooks/sobot?hub.mode=subscribe&hub.verify_token=${HOOK_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    for (const query of [
      `hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`,
      `hub.mode=subscribe&hub.challenge=1`,
      `hub.mode=unsubscribe&hub.verify_token=${HOOK_TOKEN}&hub.challenge=1`,
    ]) {
      const res = await fetch(`${p.url}/v1/webhooks/sobot?${query}`);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    }
    const noToken = await producer();
    const res = await fetch(`${noToken.url}/v1/webhooks/sobot?hub.mode=subscribe&hub.verify_token=&hub.challenge=1`);
    expect(res.status).toBe(403);
  });
});

describe('floods (issue 14 finding 6)', () => {
  /**
   * Streams an endless chunked body until the producer answers; resolves with the status and the bytes
   * written by then. A producer that read the whole body would never answer.
   */
  function endless(url: string, headers: Record<string, string> = {}): Promise<{ status: number; written: number }> {
    return new Promise((resolve, reject) => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let written = 0;
      let answered = false;
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
      const pump = () => {
        while (!answered && written < 1024 * 2 ** 20) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      req.on('response', (res) => {
        answered = true;
        res.resume();
        resolve({ status: res.statusCode ?? 0, written });
        req.destroy();
      });
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      pump();
    });
  }

  it('refuses a body over WEBHOOK_MAX_BYTES with 413 without reading it all; 401 before reading', async () => {
    const p = await producer({ WEBHOOK_APP_SECRET: APP_SECRET, WEBHOOK_TOKEN: HOOK_TOKEN });
    // Content-Length says too much: refused at once.
    const declared = await post(p, 'x'.repeat(2 ** 20 + 1), { query: `?token=${HOOK_TOKEN}` });
    expect(declared).toEqual({ status: 413, body: { error: { code: 'BODY_TOO_LARGE', message: expect.any(String) } } });
    // Chunked, no length, endless: the read stops past the cap (the client wrote little more than 1 MiB).
    const signed = await endless(`${p.url}/v1/webhooks/sobot`, { 'x-hub-signature-256': sign('x') });
    expect(signed.status).toBe(413);
    expect(signed.written).toBeLessThan(16 * 2 ** 20);
    const tokened = await endless(`${p.url}/v1/webhooks/sobot?token=${HOOK_TOKEN}`);
    expect(tokened.status).toBe(413);
    // Neither a token nor a signature: 401 before a byte of the body is read.
    const anonymous = await endless(`${p.url}/v1/webhooks/sobot?token=wrong`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.written).toBeLessThan(16 * 2 ** 20);

    const small = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN, WEBHOOK_MAX_BYTES: '100' });
    const over = await post(small, JSON.stringify({ statuses: Array(10).fill({ id: 'wamid.A', status: 'read' }) }), {
      query: `?token=${HOOK_TOKEN}`,
    });
    expect(over.status).toBe(413);
  });

  it('refuses more than WEBHOOK_MAX_EVENTS events in a body with 413, and takes as many', async () => {
    const p = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN, WEBHOOK_MAX_EVENTS: '50' });
    const events = (n: number) =>
      JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `wamid.E${i}`, status: 'read' })));
    expect(await post(p, events(50), { query: `?token=${HOOK_TOKEN}` })).toMatchObject({
      status: 200,
      body: { received: 50, unknown: 50 },
    });
    expect(await post(p, events(51), { query: `?token=${HOOK_TOKEN}` })).toEqual({
      status: 413,
      body: { error: { code: 'TOO_MANY_EVENTS', message: expect.stringContaining('WEBHOOK_MAX_EVENTS') } },
    });
  });

  it('looks up a body of unknown wamids in one round of commands: one script per index bucket', async () => {
    const p = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN });
    const id = await sentMessage(p, 'wamid.KNOWN1');
    const list = Array.from({ length: 5000 }, (_, i) => ({ id: `wamid.UNKNOWN${i}`, status: 'delivered' }));
    list.push({ id: 'wamid.KNOWN1', status: 'delivered' });
    await admin.config('RESETSTAT');
    const res = await post(p, JSON.stringify(list), { query: `?token=${HOOK_TOKEN}` });
    expect(res).toMatchObject({ status: 200, body: { received: 5001, applied: 1, unknown: 5000 } });
    const calls = await commandCalls();
    // One lookup script per index bucket (16), whatever the number of events, each reading at most the 8 days
    // of its bucket; the known event costs its chunk size and its script. Nothing per unknown event.
    expect(calls.evalsha).toBeLessThanOrEqual(16 + 1);
    expect(calls.hmget ?? 0).toBeLessThanOrEqual(16 * 8);
    expect(calls.hget ?? 0).toBeLessThanOrEqual(2);
    const total = Object.entries(calls)
      .filter(([name]) => !name.startsWith('info') && !name.startsWith('config'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(total).toBeLessThan(400);
    expect(await deliveryCounts(p, id)).toMatchObject({ delivered: 1 });
  });
});

describe('inbound messages (SPEC §12)', () => {
  const SENDER = '919970585556';
  const bit = async (p: Producer, number: string) =>
    (await p.store.audience.lookup([number], { window: true }))[0] ?? 0;

  async function withSandbox(env: Record<string, string>, webhook: { query?: string; secret?: string }) {
    const p = await producer(env);
    const sb = await startSandbox({
      webhook: { url: `${p.url}/v1/webhooks/sobot${webhook.query ?? ''}`, secret: webhook.secret },
    });
    sandboxes.push(sb);
    return { p, sb };
  }

  it('opens the window; " Stop " suppresses, "stop sending me cats" does not; START lifts it', async () => {
    const { p, sb } = await withSandbox({ WEBHOOK_APP_SECRET: APP_SECRET }, { secret: APP_SECRET });
    expect(await bit(p, SENDER)).toBe(0);

    const hello = await sb.inbound({ from: SENDER, text: 'hello there' });
    expect(hello.answer.status).toBe(200);
    expect(JSON.parse(hello.answer.body)).toMatchObject({ inbound: 1, opted_out: 0, opted_in: 0 });
    expect(await bit(p, SENDER)).toBe(AUDIENCE.inWindow);

    const cats = await sb.inbound({ from: SENDER, text: 'stop sending me cats' });
    expect(JSON.parse(cats.answer.body)).toMatchObject({ inbound: 1, opted_out: 0 });
    expect(await p.store.audience.suppression(SENDER)).toBeUndefined();

    const stop = await sb.inbound({ from: SENDER, text: '  Stop ', flat: true });
    expect(stop.answer.status).toBe(200);
    expect(JSON.parse(stop.answer.body)).toMatchObject({ inbound: 1, opted_out: 1 });
    expect(await p.store.audience.suppression(SENDER)).toMatchObject({ number: SENDER });
    expect((await bit(p, SENDER)) & AUDIENCE.suppressed).toBe(AUDIENCE.suppressed);

    const start = await sb.inbound({ from: SENDER, text: 'START' });
    expect(JSON.parse(start.answer.body)).toMatchObject({ inbound: 1, opted_in: 1 });
    expect(await p.store.audience.suppression(SENDER)).toBeUndefined();
  });

  it('takes configured keywords and the sandbox posting with ?token=; a forged STOP changes nothing', async () => {
    const env = { WEBHOOK_TOKEN: HOOK_TOKEN, OPT_OUT_KEYWORDS: 'ARRET, STOP ALL', OPT_IN_KEYWORDS: 'go' };
    const { p, sb } = await withSandbox(env, { query: `?token=${HOOK_TOKEN}` });
    const number = '919970585557';
    expect(JSON.parse((await sb.inbound({ from: number, text: 'STOP' })).answer.body)).toMatchObject({ opted_out: 0 });
    expect(JSON.parse((await sb.inbound({ from: number, text: 'stop  all' })).answer.body)).toMatchObject({
      opted_out: 1,
    });
    expect(await p.store.audience.suppression(number)).toBeDefined();
    expect(JSON.parse((await sb.inbound({ from: number, text: 'Go' })).answer.body)).toMatchObject({ opted_in: 1 });
    expect(await p.store.audience.suppression(number)).toBeUndefined();

    const forger = await startSandbox({ webhook: { url: `${p.url}/v1/webhooks/sobot?token=guess` } });
    sandboxes.push(forger);
    const forged = await forger.inbound({ from: number, text: 'ARRET' });
    expect(forged.answer.status).toBe(401);
    expect(await p.store.audience.suppression(number)).toBeUndefined();
  });

  it("decides a sender's keywords in one body by their time, whatever their order in the body", async () => {
    const p = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN });
    const now = Math.floor(Date.now() / 1000);
    const message = (from: string, text: string, timestamp: number) => ({ type: 'message', from, text, timestamp });
    const body = JSON.stringify([
      message('919970585561', 'START', now - 5),
      message('919970585561', 'STOP', now - 10),
      message('919970585562', 'STOP', now - 5),
      message('919970585562', 'START', now - 10),
    ]);
    expect(await post(p, body, { query: `?token=${HOOK_TOKEN}` })).toMatchObject({
      status: 200,
      body: { inbound: 4, opted_out: 1, opted_in: 1 },
    });
    expect(await p.store.audience.suppression('919970585561')).toBeUndefined();
    expect(await p.store.audience.suppression('919970585562')).toMatchObject({ reason: 'opt-out keyword' });
  });

  it('normalises senders like uploaded numbers and reads a window from the message time', async () => {
    const p = await producer({ WEBHOOK_TOKEN: HOOK_TOKEN });
    const old = Math.floor(Date.now() / 1000) - 2 * 86_400;
    const body = JSON.stringify([
      { type: 'message', from: '+91 99705 85558', timestamp: String(old), text: { body: 'hi' } },
      { type: 'message', from: '919970585559', text: 'UNSUBSCRIBE' },
      { type: 'message', from: 'not a number', text: 'STOP' },
      { type: 'reaction', from: '919970585559' },
    ]);
    expect(await post(p, body, { query: `?token=${HOOK_TOKEN}` })).toMatchObject({
      status: 200,
      body: { received: 0, inbound: 2, opted_out: 1, ignored: 2 },
    });
    // Written two days ago: its window has closed.
    expect(await bit(p, '919970585558')).toBe(0);
    expect(await bit(p, '919970585559')).toBe(AUDIENCE.suppressed | AUDIENCE.inWindow);
  });
});
