/**
 * SPEC §18 (issue 20): an answer given before the request's body was read to its end never leaves a keep-alive
 * client's next request waiting. Each case sends a body of several MB that gets an early error through an undici
 * Agent with one connection, then a small request on the same agent: it must be answered (the producer either
 * read the rest or closed the connection, and then the client connected again: never a hang, never ECONNRESET).
 * Real producers on loopback, real Redis (a stopped one for 503, a full one for 507).
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import IORedis from 'ioredis';
import { Agent, request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@sobot/config';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const KEY = 'early-answer-key';
const HOOK = 'early-answer-hook';
const auth = { authorization: `Bearer ${KEY}` };
const IMAGE = 'https://cdn.example.com/a.jpg';
const MiB = 2 ** 20;

type ProducerName = 'main' | 'small' | 'dead' | 'full' | 'busy';
const bases: Partial<Record<ProducerName, string>> = {};
const redises: TestRedis[] = [];
const apps: FastifyInstance[] = [];
const stores: Store[] = [];
let holder: ClientRequest | undefined;

async function producer(redis: TestRedis, env: Record<string, string> = {}): Promise<string> {
  const cfg = producerConfigSchema.parse({
    API_KEYS: KEY,
    WEBHOOK_TOKEN: HOOK,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    ...env,
  });
  // As main.ts builds it: a call answers 503 at once while Redis is away.
  const store = Store.open(
    { url: redis.url, prefix: redis.prefix, resultTtlDays: cfg.RESULT_TTL_DAYS, failFast: true },
    createLogger('store', 'silent'),
  );
  stores.push(store);
  const app = await buildApp({ cfg, store });
  apps.push(app);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { what: 'the producer to be ready' });
  return base;
}

/** `rows` CSV lines, each a different valid number and a name (no duplicates: every 200 reach Redis). */
function csvRows(rows: number, header = 'phone,name'): Buffer {
  const lines = [header];
  for (let i = 0; i < rows; i += 1) lines.push(`9198${String(i).padStart(8, '0')},Name ${i}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}
/** About 6 MB of valid rows under `header`. */
const big = (header = 'phone,name') => csvRows(260_000, header);

function multipart(fields: Record<string, string>, file: Buffer, fileField = 'file'): [Buffer, string] {
  const boundary = 'early-answer-boundary-7d1f';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="list.csv"\r\n` +
        'Content-Type: text/csv\r\n\r\n',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return [Buffer.concat(parts), `multipart/form-data; boundary=${boundary}`];
}

/** The body in 64 KiB pieces with no Content-Length (chunked). */
const chunked = (body: Buffer) =>
  Readable.from(
    (function* pieces() {
      for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024);
    })(),
  );

interface Case {
  name: string;
  on: ProducerName;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent without Content-Length. */
  chunked?: boolean;
  status: number;
  code: string;
}

/** Query string of upload options. */
const q = (opts: Record<string, string>) => new URLSearchParams({ image_url: IMAGE, ...opts }).toString();

/** The early errors of an upload: [name, options, body, producer, status, code]. */
const uploadErrors: Array<[string, Record<string, string>, () => Buffer, ProducerName, number, string]> = [
  ['two phone columns', {}, () => big('phone,mobile'), 'main', 400, 'AMBIGUOUS_PHONE_COLUMN'],
  ['no phone column', {}, () => big('alpha,beta'), 'main', 400, 'NO_PHONE_COLUMN'],
  ['a caption variable no column has', { caption: 'Hi {{nope}}' }, () => big(), 'main', 400, 'UNKNOWN_VARIABLE'],
  [
    'an unparseable file',
    {},
    () => Buffer.concat([Buffer.from('phone,name\n919800000001,a,b\n'), big()]),
    'main',
    400,
    'UNPARSEABLE',
  ],
  ['bad quiet_hours', { quiet_hours: '25:00-26:00' }, () => big(), 'main', 400, 'INVALID_REQUEST'],
  [
    'send_at not on the calendar',
    { send_at: '2027-02-30T09:00:00+05:30' },
    () => big(),
    'main',
    400,
    'INVALID_REQUEST',
  ],
  ['invalid defaults', { mime_type: 'image/gif' }, () => big(), 'main', 400, 'INVALID_DEFAULTS'],
  [
    'a failed image pre-flight',
    { preflight: 'true', image_url: 'http://127.0.0.1:9/a.jpg' },
    () => big(),
    'main',
    400,
    'IMAGE_PREFLIGHT_FAILED',
  ],
  ['window=skip with no inbound event', { window: 'skip' }, () => big(), 'main', 409, 'NO_INBOUND_EVENTS'],
  ['over MAX_UPLOAD_BYTES (Content-Length)', {}, () => big(), 'small', 413, 'UPLOAD_TOO_LARGE'],
  ['Redis unreachable', {}, () => big(), 'dead', 503, 'STORE_UNAVAILABLE'],
  ['too many uploads at once', {}, () => big(), 'busy', 503, 'TOO_MANY_UPLOADS'],
  ['Redis full', {}, () => big(), 'full', 507, 'STORE_FULL'],
];

const cases: Case[] = [];
for (const [name, opts, body, on, status, code] of uploadErrors) {
  const raw = { on, status, code, path: `/v1/campaigns?${q(opts)}`, headers: { ...auth, 'content-type': 'text/csv' } };
  cases.push({ name: `upload, raw: ${name}`, ...raw, body: body() });
  const [form, type] = multipart({ image_url: IMAGE, ...opts }, body());
  const viaForm = { on, status, code, path: '/v1/campaigns', headers: { ...auth, 'content-type': type }, body: form };
  cases.push({ name: `upload, multipart: ${name}`, ...viaForm });
  if (status === 413) {
    cases.push({
      name: `upload, raw: ${name.replace('(Content-Length)', '(chunked)')}`,
      ...raw,
      body: body(),
      chunked: true,
    });
    cases.push({
      name: `upload, multipart: ${name.replace('(Content-Length)', '(chunked)')}`,
      ...viaForm,
      chunked: true,
    });
  }
}
{
  const [badField, type] = multipart({ image_url: IMAGE, weight: 'heavy' }, big());
  cases.push({
    name: 'upload, multipart: a bad option field',
    on: 'main',
    path: '/v1/campaigns',
    headers: { ...auth, 'content-type': type },
    body: badField,
    status: 400,
    code: 'INVALID_REQUEST',
  });
  const [wrongFile, type2] = multipart({ image_url: IMAGE }, big(), 'attachment');
  cases.push({
    name: 'upload, multipart: a file under another field',
    on: 'main',
    path: '/v1/campaigns',
    headers: { ...auth, 'content-type': type2 },
    body: wrongFile,
    status: 400,
    code: 'UNEXPECTED_FILE',
  });
  cases.push({
    name: 'upload: a wrong bearer token',
    on: 'main',
    path: `/v1/campaigns?${q({})}`,
    headers: { authorization: 'Bearer wrong', 'content-type': 'text/csv' },
    body: big(),
    status: 401,
    code: 'UNAUTHORIZED',
  });
  cases.push({
    name: 'upload: a body type that is no list',
    on: 'main',
    path: `/v1/campaigns?${q({})}`,
    headers: { ...auth, 'content-type': 'image/png' },
    body: big(),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  });
}

const importErrors: Array<[string, () => Buffer, ProducerName, number, string, boolean?]> = [
  ['two number columns', () => big('phone,mobile'), 'main', 400, 'AMBIGUOUS_PHONE_COLUMN'],
  ['no number column', () => big('alpha,beta'), 'main', 400, 'NO_PHONE_COLUMN'],
  ['over MAX_UPLOAD_BYTES (Content-Length)', () => big(), 'small', 413, 'UPLOAD_TOO_LARGE'],
  ['over MAX_UPLOAD_BYTES (chunked)', () => big(), 'small', 413, 'UPLOAD_TOO_LARGE', true],
  ['Redis unreachable', () => big(), 'dead', 503, 'STORE_UNAVAILABLE'],
  ['too many uploads at once', () => big(), 'busy', 503, 'TOO_MANY_UPLOADS'],
  ['Redis full', () => big(), 'full', 507, 'STORE_FULL'],
];
for (const [name, body, on, status, code, isChunked] of importErrors) {
  cases.push({
    name: `suppression import: ${name}`,
    on,
    path: '/v1/suppressions',
    headers: { ...auth, 'content-type': 'text/csv' },
    body: body(),
    chunked: isChunked,
    status,
    code,
  });
}

const events = Buffer.from(
  JSON.stringify(Array.from({ length: 120_000 }, (_, i) => ({ wamid: `w${i}`, status: 'read' }))),
);
for (const isChunked of [false, true]) {
  const how = isChunked ? 'chunked' : 'Content-Length';
  cases.push({
    name: `webhook: over WEBHOOK_MAX_BYTES (${how})`,
    on: 'main',
    path: `/v1/webhooks/sobot?token=${HOOK}`,
    headers: { 'content-type': 'application/json' },
    body: events,
    chunked: isChunked,
    status: 413,
    code: 'BODY_TOO_LARGE',
  });
  cases.push({
    name: `API messages: over the 10 MiB body limit (${how})`,
    on: 'main',
    path: '/v1/messages',
    headers: { ...auth, 'content-type': 'application/json' },
    body: Buffer.concat([events, Buffer.alloc(8 * MiB, ' ')]),
    chunked: isChunked,
    status: 413,
    code: 'BODY_TOO_LARGE',
  });
}
cases.push({
  name: 'webhook: a wrong token',
  on: 'main',
  path: '/v1/webhooks/sobot?token=wrong',
  headers: { 'content-type': 'application/json' },
  body: events,
  status: 401,
  code: 'UNAUTHORIZED',
});

beforeAll(async () => {
  const redis = await startTestRedis();
  redises.push(redis);
  bases.main = await producer(redis);
  bases.small = await producer(redis, { MAX_UPLOAD_BYTES: String(MiB) });
  bases.busy = await producer(redis, { MAX_CONCURRENT_UPLOADS: '1' });

  // A producer whose Redis has gone away (after it was up: as in production).
  const gone = await startTestRedis({ own: true });
  redises.push(gone);
  bases.dead = await producer(gone);
  if (gone.server) await gone.server.stop();
  else delete bases.dead;

  // A producer whose Redis refuses writes (maxmemory reached, noeviction).
  const full = await startTestRedis({ own: true });
  redises.push(full);
  bases.full = await producer(full);
  if (full.server) {
    const admin = new IORedis(full.url);
    await admin.config('SET', 'maxmemory', '1');
    await admin.quit();
  } else delete bases.full;

  // The busy producer's one upload slot is taken by an upload that is still being sent (started again if a probe
  // took the slot first and it was refused).
  let refused = true;
  const hold = () => {
    const url = new URL(`${bases.busy}/v1/campaigns?${q({})}`);
    holder?.destroy();
    holder = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: { ...auth, 'content-type': 'text/csv' },
    });
    holder.on('error', () => undefined);
    holder.on('response', () => (refused = true));
    holder.write('phone,name\n919800000001,A\n');
    refused = false;
  };
  await waitFor(
    async () => {
      if (refused) hold();
      const res = await fetch(`${bases.busy}/v1/suppressions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ numbers: ['919800000009'] }),
      });
      const code = ((await res.json()) as { error?: { code: string } }).error?.code;
      return code === 'TOO_MANY_UPLOADS' && !refused;
    },
    { what: 'the busy producer to be busy' },
  );
}, 60_000);

afterAll(async () => {
  holder?.destroy();
  for (const app of apps) await app.close();
  for (const store of stores) await store.close().catch(() => undefined);
  for (const redis of redises) await redis.close();
});

test.each(cases.map((c) => [c.name, c] as const))('%s: answered, and the next request too', async (_name, c) => {
  const base = bases[c.on];
  if (!base) return; // REDIS_URL given: no Redis of its own to stop or fill.
  const agent = new Agent({ connections: 1 });
  let connections = 0;
  agent.on('connect', () => (connections += 1));
  try {
    const first = await request(`${base}${c.path}`, {
      dispatcher: agent,
      method: 'POST',
      headers: c.chunked ? c.headers : { ...c.headers, 'content-length': String(c.body.length) },
      body: c.chunked ? chunked(c.body) : c.body,
    });
    const answer = (await first.body.json()) as { error?: { code: string } };
    expect([first.statusCode, answer.error?.code]).toEqual([c.status, c.code]);
    if (first.statusCode === 503)
      expect(first.headers['retry-after'] ?? 'none').toEqual(c.code === 'TOO_MANY_UPLOADS' ? '1' : 'none');
    // Several MB are not drained: the answer closes the connection, unless the body had been read to its end.
    const closed = first.headers.connection === 'close';

    // On the same agent (one connection at most): answered, over a new connection when the first was closed.
    const next = await request(`${base}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(10_000) });
    expect([next.statusCode, await next.body.json()]).toEqual([200, { ok: true }]);
    expect(connections).toBe(closed ? 2 : 1);
  } finally {
    await agent.close();
  }
});

test('a small body refused early is read to its end and the connection kept', async () => {
  const agent = new Agent({ connections: 1 });
  let connections = 0;
  agent.on('connect', () => (connections += 1));
  try {
    const body = csvRows(20_000, 'phone,mobile');
    expect(body.length).toBeLessThan(MiB);
    const first = await request(`${bases.main}/v1/campaigns?${q({})}`, {
      dispatcher: agent,
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body,
    });
    expect([first.statusCode, ((await first.body.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'AMBIGUOUS_PHONE_COLUMN',
    ]);
    expect(first.headers.connection).toBe('keep-alive');
    const next = await request(`${bases.main}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(10_000) });
    expect([next.statusCode, await next.body.json()]).toEqual([200, { ok: true }]);
    expect(connections).toBe(1);
  } finally {
    await agent.close();
  }
});

test('an upload slot is given back when its upload ends: the client went away', async () => {
  const suppress = async () =>
    (
      await fetch(`${bases.busy}/v1/suppressions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ numbers: ['919800000010'] }),
      })
    ).status;
  expect(await suppress()).toBe(503);
  holder?.destroy();
  await waitFor(async () => (await suppress()) === 200, { what: 'the slot to be free again' });
  // And it is one slot: a call that ended gave its slot back too.
  expect(await suppress()).toBe(200);
});
