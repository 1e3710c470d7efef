/**
 * The API contract: the OpenAPI document at /docs/json is valid OpenAPI (checked by an independent
 * parser), and what the app really answers — a real Redis, a send worker and the sandbox behind it —
 * matches what the document says, route by route and status by status. Every documented status but
 * 500 is produced at least once; an answer with an undocumented status or shape fails the test.
 */
import { connect } from 'node:net';
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { createLogger } from '@sobot/config';
import { freePort, startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { startSendWorker } from '@sobot/sending';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const KEY = 'contract-key';
const HOOK_TOKEN = 'hook-secret';
const BOARD = { user: 'ops', password: 'board-pass' };
const MAX_UPLOAD = 64 * 1024;
const CLOSED = '919800000001';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Operation = { responses: Record<string, { content?: Record<string, { schema: Json }> }> };

const closers: Array<() => Promise<unknown>> = [];
let redis: TestRedis;
let sandbox: Sandbox;
let app: FastifyInstance;
/** The app's store (to write what the API would refuse, e.g. an endpoint whose name moved to loopback). */
let store: Store;
/** The same app over a Redis nobody listens on: every route that needs Redis answers 503. */
let deadApp: FastifyInstance;
let spec: Json;
/** The document with every `$ref` (the named components) replaced by what it points to. */
let resolved: Json;
let image: string;

function config(redisUrl: string, prefix: string) {
  return producerConfigSchema.parse({
    API_KEYS: KEY,
    BOARD_USER: BOARD.user,
    BOARD_PASSWORD: BOARD.password,
    WEBHOOK_TOKEN: HOOK_TOKEN,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
  });
}

beforeAll(async () => {
  redis = await startTestRedis();
  closers.push(() => redis.close());
  sandbox = await startSandbox({ faults: { latencyMs: 5, closedNumbers: [CLOSED] } });
  closers.push(() => sandbox.close());
  image = `${sandbox.url}/images/sample.jpg`;
  const cfg = config(redis.url, redis.prefix);
  const open = (url: string, failFast = false) => {
    const store = Store.open(
      { url, prefix: redis.prefix, resultTtlDays: cfg.RESULT_TTL_DAYS, failFast },
      createLogger('store', 'silent'),
    );
    closers.push(() => store.close().catch(() => undefined));
    return store;
  };
  const worker = startSendWorker({
    store: open(redis.url),
    log: createLogger('worker', 'silent'),
    sobot: { baseUrl: sandbox.url, apiKey: 'sandbox-key', apiSecret: 'sandbox-secret', timeoutMs: 5_000 },
    sendRate: 100,
    concurrency: 8,
    maxAttempts: 2,
  });
  closers.push(() => worker.close());
  store = open(redis.url);
  app = await buildApp({ cfg, store });
  closers.push(() => app.close());

  const deadCfg = config(`redis://127.0.0.1:${await freePort()}`, redis.prefix);
  deadApp = await buildApp({ cfg: deadCfg, store: open(deadCfg.REDIS_URL!, true) });
  closers.push(() => deadApp.close());

  spec = (await app.inject('/docs/json')).json();
  resolved = await dereference(structuredClone(spec) as Parameters<typeof dereference>[0]);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

// ---- the contract checker -------------------------------------------------------------------------

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const compiled = new Map<Json, ValidateFunction>();
const schemaCheck = (schema: Json) => {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
  return fn;
};
/** `METHOD template status` of every answer checked against the document. */
const observed = new Set<string>();

function operationOf(method: string, url: string): { template: string; op: Operation } | undefined {
  const path = url.split('?')[0]!;
  // As the router does: a literal path (`/v1/messages/summary`) before a templated one (`/v1/messages/{id}`).
  const templates = Object.entries(resolved.paths as Record<string, Record<string, Operation>>).sort(
    ([a], [b]) => Number(a.includes('{')) - Number(b.includes('{')),
  );
  for (const [template, item] of templates) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const op = item[method.toLowerCase()];
    if (op && re.test(path)) return { template, op };
  }
  return undefined;
}

function expectValid(schema: Json, value: unknown, where: string) {
  const check = schemaCheck(schema);
  if (!check(value)) throw new Error(`${where}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value)}`);
}

/** The answer's status and body are the documented ones for this route (and the body matches its schema). */
function conforms(method: string, url: string, res: LightMyRequestResponse): LightMyRequestResponse {
  const where = `${method} ${url} → ${res.statusCode}`;
  const found = operationOf(method, url);
  if (!found) throw new Error(`${where}: the route is not documented`);
  const documented = found.op.responses[String(res.statusCode)];
  if (!documented) throw new Error(`${where}: status not documented (${res.body.slice(0, 200)})`);
  observed.add(`${method} ${found.template} ${res.statusCode}`);
  const type = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const media = documented.content?.[type];
  if (!media) throw new Error(`${where}: content type ${type} not documented`);
  if (type === 'application/json') expectValid(media.schema, res.json(), where);
  if (type === 'application/x-ndjson') {
    // NDJSON is documented as text; each line is one object of the JSON variant's items.
    const items = documented.content!['application/json']!.schema.items as Json;
    for (const line of res.body.split('\n').filter(Boolean)) expectValid(items, JSON.parse(line), where);
  }
  return res;
}

const auth = { authorization: `Bearer ${KEY}` };
async function call(
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string>; target?: FastifyInstance; anonymous?: boolean } = {},
) {
  const payload =
    opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers = {
    ...(opts.anonymous ? {} : auth),
    ...(opts.body !== undefined && typeof opts.body !== 'string' ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  const res = await (opts.target ?? app).inject({ method: method as 'GET', url, payload, headers });
  return conforms(method, url, res);
}

/** A multipart body: fields first, then the file (as the upload reads it best). */
function multipart(fields: Record<string, string>, file: string) {
  const boundary = 'contract-boundary';
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`,
  );
  return { body: parts.join(''), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const csv = (numbers: string[]) => `phone,name\n${numbers.map((n, i) => `${n},Name ${i}`).join('\n')}\n`;
const raw = (type: string) => ({ 'content-type': type });

// ---- the tests ------------------------------------------------------------------------------------

test('/docs/json is a valid OpenAPI 3.1 document with every route and its security', async () => {
  // The parser types the document it is given; what it is given is exactly what /docs/json served.
  const result = await validate(structuredClone(spec) as Parameters<typeof validate>[0]);
  if (!result.valid) throw new Error(compileErrors(result));
  expect(result.warnings).toEqual([]);
  expect(spec.openapi).toBe('3.1.0');
  const ops = Object.entries(spec.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );
  // At least these (openapi-routes.test.ts checks that every route served is documented, and only those).
  expect(ops.map((o) => o.key)).toEqual(
    expect.arrayContaining([
      'GET /healthz',
      'GET /metrics',
      'GET /readyz',
      'GET /v1/campaigns',
      'GET /v1/campaigns/{id}',
      'GET /v1/campaigns/{id}/rejected',
      'GET /v1/campaigns/{id}/report',
      'GET /v1/messages',
      'GET /v1/messages/summary',
      'GET /v1/messages/{id}',
      'POST /v1/campaigns',
      'POST /v1/campaigns/{id}/cancel',
      'POST /v1/campaigns/{id}/pause',
      'POST /v1/campaigns/{id}/resume',
      'POST /v1/campaigns/{id}/retry-failed',
      'POST /v1/messages',
      'POST /v1/webhooks/sobot',
      'GET /v1/webhooks/sobot',
      'GET /v1/suppressions',
      'POST /v1/suppressions',
      'GET /v1/suppressions/{number}',
      'DELETE /v1/suppressions/{number}',
      'POST /v1/event-endpoints',
      'GET /v1/event-endpoints',
      'GET /v1/event-endpoints/{id}',
      'DELETE /v1/event-endpoints/{id}',
      'POST /v1/event-endpoints/{id}/rotate-secret',
      'POST /v1/event-endpoints/{id}/test',
      'GET /v1/senders',
      'POST /v1/senders/{id}/resume',
    ]),
  );
  const security = Object.fromEntries(ops.map(({ key, op }) => [key, op.security ?? spec.security]));
  expect(spec.security).toEqual([{ bearer: [] }]);
  expect(security['POST /v1/webhooks/sobot']).toEqual([{ webhookToken: [] }, { webhookSignature: [] }]);
  for (const open of ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /v1/webhooks/sobot'])
    expect(security[open]).toEqual([]);
  expect(spec.components.securitySchemes.webhookSignature).toMatchObject({
    type: 'apiKey',
    in: 'header',
    name: 'X-Hub-Signature-256',
  });
  expect(Object.keys(spec.components.schemas)).toEqual(
    expect.arrayContaining([
      'ApiError',
      'CampaignView',
      'UploadResult',
      'ReportRow',
      'MessageView',
      'SendMessagesResult',
    ]),
  );
  // The upload documents its multipart form (fields and file) and the raw list types.
  const upload = spec.paths['/v1/campaigns'].post;
  const form = upload.requestBody.content['multipart/form-data'].schema;
  expect(form.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  expect(Object.keys(form.properties)).toEqual(expect.arrayContaining(['name', 'image_url', 'caption', 'dry_run']));
  expect(Object.keys(upload.requestBody.content)).toEqual(
    expect.arrayContaining(['text/csv', 'application/json', 'application/x-ndjson']),
  );
  expect(upload.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['image_url', 'strict']));
});

test('campaign routes answer as documented, from upload to report, with their error statuses', async () => {
  const numbers = ['919800000010', '919800000011', CLOSED];
  const form = multipart({ name: 'contract', image_url: image }, csv([...numbers, '12']));
  const created = await call('POST', '/v1/campaigns', form);
  expect(created.statusCode).toBe(202);
  expect(created.json()).toMatchObject({ accepted: 3, rejected: 1, errors: [{ row: 4, field: 'customer_number' }] });
  const id = created.json().id as string;

  // Raw bodies: CSV, JSON and NDJSON, a dry run, and the upload's failures.
  const q = `image_url=${encodeURIComponent(image)}`;
  expect(
    (await call('POST', `/v1/campaigns?${q}`, { body: csv(['919800000020']), headers: raw('text/csv') })).statusCode,
  ).toBe(202);
  const asJson = JSON.stringify([{ phone: '919800000021', name: 'J' }]);
  expect(
    (await call('POST', `/v1/campaigns?${q}`, { body: asJson, headers: raw('application/json') })).statusCode,
  ).toBe(202);
  const asNdjson = '{"phone":"919800000022","name":"N"}\n';
  const ndjson = await call('POST', `/v1/campaigns?${q}&dry_run=true`, {
    body: asNdjson,
    headers: raw('application/x-ndjson'),
  });
  expect(ndjson.statusCode).toBe(200);
  expect(ndjson.json()).toMatchObject({ dry_run: true, accepted: 1 });
  const noPhone = await call('POST', `/v1/campaigns?${q}`, { body: 'a,b\n1,2\n', headers: raw('text/csv') });
  expect([noPhone.statusCode, noPhone.json().error.code]).toEqual([400, 'NO_PHONE_COLUMN']);
  const badOption = await call('POST', `/v1/campaigns?${q}&canary=none`, {
    body: csv(numbers),
    headers: raw('text/csv'),
  });
  expect([badOption.statusCode, badOption.json().error.code]).toEqual([400, 'INVALID_REQUEST']);
  const big = csv(Array.from({ length: 4000 }, (_, i) => `9198${String(i).padStart(8, '0')}`));
  expect(big.length).toBeGreaterThan(MAX_UPLOAD);
  const tooBig = await call('POST', `/v1/campaigns?${q}`, { body: big, headers: raw('text/csv') });
  expect([tooBig.statusCode, tooBig.json().error.code]).toEqual([413, 'UPLOAD_TOO_LARGE']);
  // No inbound message arrived: window=skip is refused unless forced.
  const noInbound = await call('POST', `/v1/campaigns?${q}&window=skip`, {
    body: csv(numbers),
    headers: raw('text/csv'),
  });
  expect([noInbound.statusCode, noInbound.json().error.code]).toEqual([409, 'NO_INBOUND_EVENTS']);
  const png = await call('POST', `/v1/campaigns?${q}`, { body: 'x', headers: raw('image/png') });
  expect([png.statusCode, png.json().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  // Idempotency-Key: a retry replays the campaign it made; the key with another file is a 409.
  const keyed = { ...raw('text/csv'), 'idempotency-key': 'contract-upload-1' };
  const once = await call('POST', `/v1/campaigns?${q}`, { body: csv(['919970000001']), headers: keyed });
  const twice = await call('POST', `/v1/campaigns?${q}`, { body: csv(['919970000001']), headers: keyed });
  expect([twice.statusCode, twice.json().id, twice.json().replayed]).toEqual([202, once.json().id, true]);
  const other = await call('POST', `/v1/campaigns?${q}`, { body: csv(['919970000002']), headers: keyed });
  expect([other.statusCode, other.json().error.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
  expect((await call('POST', `/v1/campaigns?${q}`, { body: csv(numbers), anonymous: true })).statusCode).toBe(401);

  const done = await waitFor(
    async () => {
      const view = (await call('GET', `/v1/campaigns/${id}`)).json();
      return view.counts.pending === 0 && view.status === 'completed' ? view : undefined;
    },
    { what: 'the campaign to complete' },
  );
  expect(done.counts).toMatchObject({ sent: 2, failed: 1 });
  expect(done.failure_reasons).toEqual([expect.objectContaining({ code: '131047', count: 1 })]);

  const list = await call('GET', '/v1/campaigns?limit=10');
  expect(list.json().campaigns.map((c: Json) => c.id)).toContain(id);
  expect((await call('GET', '/v1/campaigns?limit=0')).statusCode).toBe(400);
  expect((await call('GET', '/v1/campaigns', { anonymous: true })).statusCode).toBe(401);

  for (const format of ['xlsx', 'csv', 'json', 'ndjson']) {
    for (const what of ['report', 'rejected']) {
      const res = await call('GET', `/v1/campaigns/${id}/${what}?format=${format}`);
      expect(res.statusCode).toBe(200);
      if (format === 'json' && what === 'report') {
        expect(
          res
            .json()
            .map((r: Json) => r.status)
            .sort(),
        ).toEqual(['failed', 'sent', 'sent']);
      }
      if (format === 'json' && what === 'rejected') expect(res.json()).toEqual([expect.objectContaining({ row: 4 })]);
    }
  }
  expect((await call('GET', `/v1/campaigns/${id}/report?format=xml`)).statusCode).toBe(400);
  expect((await call('GET', `/v1/campaigns/${id}/rejected?format=xml`)).statusCode).toBe(400);

  // Control actions: each answers the campaign; a state that does not allow it is a 409.
  // A 131047 is permanent: left by default, taken with include=all.
  expect((await call('POST', `/v1/campaigns/${id}/retry-failed`)).json()).toMatchObject({
    reset: 0,
    left: { permanent: 1 },
    by_code: { '131047': { retried: 0, left: 1, reason: 'permanent' } },
  });
  const badInclude = await call('POST', `/v1/campaigns/${id}/retry-failed?include=some`);
  expect([badInclude.statusCode, badInclude.json().error.code]).toEqual([400, 'INVALID_REQUEST']);
  expect((await call('POST', `/v1/campaigns/${id}/retry-failed?include=all`)).json()).toMatchObject({ reset: 1 });
  await waitFor(async () => (await call('GET', `/v1/campaigns/${id}`)).json().status === 'completed', {
    what: 'the retried recipient to fail again',
  });
  // Long enough (3 s at the worker's rate) that it is still sending while it is paused and cancelled.
  const many = Array.from({ length: 300 }, (_, i) => `91980001${String(i).padStart(4, '0')}`);
  const second = (await call('POST', `/v1/campaigns?${q}`, { body: csv(many), headers: raw('text/csv') })).json()
    .id as string;
  const paused = await call('POST', `/v1/campaigns/${second}/pause`);
  expect(paused.json().status).toBe('paused');
  expect((await call('POST', `/v1/campaigns/${second}/resume`)).json().status).not.toBe('paused');
  expect((await call('POST', `/v1/campaigns/${second}/cancel`)).json().status).toBe('cancelled');
  for (const action of ['pause', 'resume', 'cancel', 'retry-failed']) {
    const conflict = await call('POST', `/v1/campaigns/${second}/${action}`);
    if (action === 'cancel') continue; // cancelling twice is harmless
    expect([conflict.statusCode, conflict.json().error.code]).toEqual([409, 'INVALID_STATE']);
  }
  const late = await call('POST', `/v1/campaigns/${id}/cancel`);
  expect([late.statusCode, late.json().error.code]).toEqual([409, 'INVALID_STATE']);
  for (const path of ['', '/report', '/rejected']) {
    expect((await call('GET', `/v1/campaigns/${id}${path}`, { anonymous: true })).statusCode).toBe(401);
  }
  for (const action of ['pause', 'resume', 'cancel', 'retry-failed']) {
    expect((await call('POST', `/v1/campaigns/${second}/${action}`, { anonymous: true })).statusCode).toBe(401);
  }
});

test('message and webhook routes answer as documented, errors included', async () => {
  const sent = await call('POST', '/v1/messages', {
    body: { customer_number: '919800000040', customer_name: 'M', url: image },
    headers: { 'idempotency-key': 'contract-1' },
  });
  expect(sent.statusCode).toBe(202);
  const messageId = sent.json().ids[0] as string;
  const replay = await call('POST', '/v1/messages', {
    body: { customer_number: '919800000040', customer_name: 'M', url: image },
    headers: { 'idempotency-key': 'contract-1' },
  });
  expect(replay.json()).toMatchObject({ ids: [messageId], replayed: true });
  const reused = await call('POST', '/v1/messages', {
    body: { customer_number: '919800000041', customer_name: 'M', url: image },
    headers: { 'idempotency-key': 'contract-1' },
  });
  expect([reused.statusCode, reused.json().error.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
  const invalid = await call('POST', '/v1/messages', { body: { messages: [{ customer_number: '12', url: image }] } });
  expect([invalid.statusCode, invalid.json().error.code]).toEqual([400, 'INVALID_MESSAGES']);
  const notJson = await call('POST', '/v1/messages', { body: '{"customer_number":', headers: raw('application/json') });
  expect([notJson.statusCode, notJson.json().error.code]).toEqual([400, 'INVALID_JSON']);
  const text = await call('POST', '/v1/messages', { body: '<m/>', headers: raw('application/xml') });
  expect([text.statusCode, text.json().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  const huge = await call('POST', '/v1/messages', {
    body: JSON.stringify({ customer_number: '919800000042', caption: 'x'.repeat(11 * 2 ** 20) }),
    headers: raw('application/json'),
  });
  expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'BODY_TOO_LARGE']);
  expect((await call('POST', '/v1/messages', { body: {}, anonymous: true })).statusCode).toBe(401);

  const view = await waitFor(
    async () => {
      const m = (await call('GET', `/v1/messages/${messageId}`)).json();
      return m.wamid ? m : undefined;
    },
    { what: 'the message to be sent' },
  );
  expect((await call('GET', `/v1/messages/${messageId}`, { anonymous: true })).statusCode).toBe(401);

  // API calls are a stream: listed under /v1/messages (not as campaigns), summed over the last 24 hours.
  const listed = (await call('GET', '/v1/messages?limit=1000')).json();
  expect(listed.messages.map((m: { id: string }) => m.id)).toContain(messageId);
  expect((await call('GET', '/v1/messages?since=yesterday')).statusCode).toBe(400);
  expect((await call('GET', '/v1/messages', { anonymous: true })).statusCode).toBe(401);
  const summary = (await call('GET', '/v1/messages/summary')).json();
  expect(summary.sent).toBeGreaterThanOrEqual(1);
  expect((await call('GET', '/v1/messages/summary', { anonymous: true })).statusCode).toBe(401);

  const hook = (body: unknown, token = HOOK_TOKEN) =>
    call('POST', `/v1/webhooks/sobot${token ? `?token=${token}` : ''}`, { body, anonymous: true });
  const meta = { entry: [{ changes: [{ value: { statuses: [{ id: view.wamid, status: 'delivered' }] } }] }] };
  const none = { inbound: 0, opted_out: 0, opted_in: 0, opt_in_kept: 0, duplicates: 0, outdated: 0, ignored: 0 };
  expect((await hook(meta)).json()).toEqual({ received: 1, applied: 1, stale: 0, unknown: 0, ...none });
  expect(
    (
      await hook([
        { wamid: view.wamid, status: 'read' },
        { id: 'wamid.nobody', status: 'read' },
      ])
    ).json(),
  ).toEqual({ received: 2, applied: 1, stale: 0, unknown: 1, ...none });
  expect((await call('GET', `/v1/messages/${messageId}`)).json().delivery_status).toBe('read');
  expect((await hook({ statuses: [{ wamid: view.wamid, status: 'delivered' }] })).json().stale).toBe(1);
  expect((await hook({ nothing: true })).json().error.code).toBe('INVALID_WEBHOOK');
  expect((await hook(meta, '')).statusCode).toBe(401);
  expect((await hook(meta, 'wrong')).statusCode).toBe(401);
  const hookText = await call('POST', `/v1/webhooks/sobot?token=${HOOK_TOKEN}`, {
    body: '<m/>',
    headers: raw('application/xml'),
    anonymous: true,
  });
  // Read as JSON whatever the content type (Meta may send text/plain): this is not JSON.
  expect([hookText.statusCode, hookText.json().error.code]).toEqual([400, 'INVALID_JSON']);
  const handshake = (query: string) => call('GET', `/v1/webhooks/sobot?${query}`, { anonymous: true });
  const challenge = await handshake(`hub.mode=subscribe&hub.verify_token=${HOOK_TOKEN}&hub.challenge=42`);
  expect([challenge.statusCode, challenge.body]).toEqual([200, '42']);
  expect((await handshake(`hub.mode=subscribe&hub.verify_token=${HOOK_TOKEN}`)).statusCode).toBe(400);
  expect((await handshake('hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42')).statusCode).toBe(403);
  const hookHuge = await call('POST', `/v1/webhooks/sobot?token=${HOOK_TOKEN}`, {
    body: JSON.stringify({ statuses: [], pad: 'x'.repeat(11 * 2 ** 20) }),
    headers: raw('application/json'),
    anonymous: true,
  });
  expect(hookHuge.statusCode).toBe(413);
});

test('suppression routes answer as documented, errors included', async () => {
  const numbers = ['919800000060', '919800000061'];
  const added = await call('POST', '/v1/suppressions', { body: { numbers, reason: 'contract' } });
  expect(added.json()).toMatchObject({ added: 2 });
  const fromCsv = await call('POST', '/v1/suppressions?reason=csv', {
    body: 'number\n919800000062\nnot a number\n',
    headers: raw('text/csv'),
  });
  expect([fromCsv.statusCode, fromCsv.json().error]).toMatchObject([
    400,
    { code: 'INVALID_ROWS', details: [{ row: 2, line: 3 }] },
  ]);
  const goodCsv = await call('POST', '/v1/suppressions?reason=csv', {
    body: 'number\n919800000062\n',
    headers: raw('text/csv'),
  });
  expect(goodCsv.json()).toMatchObject({ added: 1, rejected: 0, errors: [] });
  const bad = await call('POST', '/v1/suppressions', { body: { numbers: ['12'] } });
  expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'INVALID_NUMBERS']);
  const empty = await call('POST', '/v1/suppressions', { body: { numbers: [] } });
  expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'INVALID_REQUEST']);
  const big = `number\n${Array.from({ length: 6000 }, (_, i) => `9198${String(i).padStart(8, '0')}`).join('\n')}\n`;
  const tooBig = await call('POST', '/v1/suppressions', { body: big, headers: raw('text/csv') });
  expect([tooBig.statusCode, tooBig.json().error.code]).toEqual([413, 'UPLOAD_TOO_LARGE']);
  expect((await call('POST', '/v1/suppressions', { body: { numbers }, anonymous: true })).statusCode).toBe(401);

  const page = (await call('GET', '/v1/suppressions?limit=2')).json();
  expect(page).toMatchObject({ total: 3, next_cursor: expect.any(String) });
  expect((await call('GET', `/v1/suppressions?cursor=${page.next_cursor}`)).json().suppressions).toHaveLength(1);
  expect((await call('GET', '/v1/suppressions?format=csv')).body).toContain('919800000062,csv,');
  expect((await call('GET', '/v1/suppressions?cursor=nope')).statusCode).toBe(400);
  expect((await call('GET', '/v1/suppressions', { anonymous: true })).statusCode).toBe(401);

  expect((await call('GET', `/v1/suppressions/${numbers[0]}`)).json()).toMatchObject({ reason: 'contract' });
  expect((await call('DELETE', `/v1/suppressions/${numbers[0]}`)).statusCode).toBe(200);
  expect((await call('GET', `/v1/suppressions/${numbers[0]}`)).statusCode).toBe(404);
  expect((await call('DELETE', `/v1/suppressions/${numbers[0]}`)).statusCode).toBe(404);
  expect((await call('GET', `/v1/suppressions/${numbers[1]}`, { anonymous: true })).statusCode).toBe(401);
  expect((await call('DELETE', `/v1/suppressions/${numbers[1]}`, { anonymous: true })).statusCode).toBe(401);
  for (const n of [numbers[1], '919800000062']) await call('DELETE', `/v1/suppressions/${n}`);
});

test('event endpoint routes answer as documented, errors included (SPEC §16)', async () => {
  const created = await call('POST', '/v1/event-endpoints', {
    body: { url: 'https://93.184.215.14/hook', events: ['message.sent'], description: 'contract' },
  });
  expect(created.statusCode).toBe(201);
  const ep = created.json();
  expect(ep).toMatchObject({ events: ['message.sent'], campaign_id: null, secret: expect.stringMatching(/^whsec_/) });
  for (const body of [
    { url: 'http://127.0.0.1:9/x' },
    { url: 'ftp://x.example/' },
    { url: 'https://x', events: ['no'] },
  ]) {
    expect((await call('POST', '/v1/event-endpoints', { body })).statusCode).toBe(400);
  }
  expect((await call('POST', '/v1/event-endpoints', { body: { url: 'https://x' }, anonymous: true })).statusCode).toBe(
    401,
  );
  const list = await call('GET', '/v1/event-endpoints');
  expect(list.json().endpoints.map((e: Json) => e.id)).toContain(ep.id);
  expect(list.body).not.toContain('whsec_');
  expect((await call('GET', '/v1/event-endpoints', { anonymous: true })).statusCode).toBe(401);
  const one = await call('GET', `/v1/event-endpoints/${ep.id}`);
  expect(one.json()).toMatchObject({ id: ep.id, url: 'https://93.184.215.14/hook' });
  expect(one.body).not.toContain('whsec_');
  const rotated = await call('POST', `/v1/event-endpoints/${ep.id}/rotate-secret`);
  expect(rotated.json()).toMatchObject({ id: ep.id, secret: expect.stringMatching(/^whsec_/) });
  expect(rotated.json().secret).not.toBe(ep.secret);

  // Stored as it was (a name that resolved publicly then): the test's own check refuses loopback now.
  const stale = await store.eventEndpoints.create(
    { url: 'http://127.0.0.1:9/hook', events: ['message.sent'] },
    ep.secret,
  );
  const tested = await call('POST', `/v1/event-endpoints/${stale.id}/test`);
  expect(tested.json()).toMatchObject({ ok: false, status: null, error: 'address' });

  for (const [method, path] of [
    ['GET', ''],
    ['DELETE', ''],
    ['POST', '/rotate-secret'],
    ['POST', '/test'],
  ] as const) {
    for (const id of ['ep_00000000000000000', 'nope', 'x'.repeat(100)]) {
      const res = await call(method, `/v1/event-endpoints/${id}${path}`);
      expect([res.statusCode, res.json().error.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect((await call(method, `/v1/event-endpoints/${ep.id}${path}`, { anonymous: true })).statusCode).toBe(401);
  }
  const removed = await call('DELETE', `/v1/event-endpoints/${ep.id}`);
  expect(removed.json()).toMatchObject({ id: ep.id });
  expect(removed.body).not.toContain('whsec_');
  expect((await call('GET', `/v1/event-endpoints/${ep.id}`)).statusCode).toBe(404);
  await call('DELETE', `/v1/event-endpoints/${stale.id}`);
});

test('sender routes answer as documented (SPEC §15)', async () => {
  await store.senders.register([{ id: 'contract', rate: 80, portfolio: 'acme', numbers: [] }], { acme: 250 });
  await store.senders.pause('contract', '401', 'upstream refused sender contract (401: wrong key)');
  expect((await call('GET', '/v1/senders')).json().senders).toContainEqual(
    expect.objectContaining({ id: 'contract', state: 'paused' }),
  );
  expect((await call('GET', '/v1/senders', { anonymous: true })).statusCode).toBe(401);
  expect((await call('POST', '/v1/senders/contract/resume')).json()).toMatchObject({ state: 'active' });
  expect((await call('POST', '/v1/senders/nope/resume')).statusCode).toBe(404);
  expect((await call('POST', '/v1/senders/contract/resume', { anonymous: true })).statusCode).toBe(401);
});

test('operations routes need no credentials and answer as documented', async () => {
  expect((await call('GET', '/healthz', { anonymous: true })).json()).toEqual({ ok: true });
  expect((await call('GET', '/readyz', { anonymous: true })).json()).toEqual({ ok: true, redis: 'up' });
  expect((await call('GET', '/metrics', { anonymous: true })).body).toMatch(/^sobot_queue_jobs/m);
});

test('with Redis unreachable every route that needs it answers 503 in the documented shape', async () => {
  const id = `c${'0'.repeat(15)}`;
  const requests: Array<[string, string, Parameters<typeof call>[2]?]> = [
    ['GET', '/v1/campaigns'],
    ['GET', `/v1/campaigns/${id}`],
    ['GET', `/v1/campaigns/${id}/report`],
    ['GET', `/v1/campaigns/${id}/rejected`],
    ['POST', `/v1/campaigns/${id}/pause`],
    ['POST', `/v1/campaigns/${id}/resume`],
    ['POST', `/v1/campaigns/${id}/cancel`],
    ['POST', `/v1/campaigns/${id}/retry-failed`],
    [
      'POST',
      `/v1/campaigns?image_url=${encodeURIComponent('https://example.com/a.jpg')}`,
      multipart({}, csv(['919800000050'])),
    ],
    [
      'POST',
      '/v1/messages',
      { body: { customer_number: '919800000051', customer_name: 'D', url: 'https://example.com/a.jpg' } },
    ],
    ['GET', `/v1/messages/${id}-0`],
    ['GET', '/v1/messages'],
    ['GET', '/v1/messages/summary'],
    ['POST', '/v1/suppressions', { body: { numbers: ['919800000052'] } }],
    ['GET', '/v1/suppressions'],
    ['GET', '/v1/suppressions/919800000052'],
    ['DELETE', '/v1/suppressions/919800000052'],
    ['POST', '/v1/event-endpoints', { body: { url: 'https://93.184.215.14/hook' } }],
    ['GET', '/v1/event-endpoints'],
    ['GET', '/v1/event-endpoints/ep_00000000000000000'],
    ['DELETE', '/v1/event-endpoints/ep_00000000000000000'],
    ['POST', '/v1/event-endpoints/ep_00000000000000000/rotate-secret'],
    ['POST', '/v1/event-endpoints/ep_00000000000000000/test'],
    ['GET', '/v1/senders'],
    ['POST', '/v1/senders/contract/resume'],
    ['POST', `/v1/webhooks/sobot?token=${HOOK_TOKEN}`, { body: [{ wamid: 'w', status: 'read' }], anonymous: true }],
    ['GET', '/readyz', { anonymous: true }],
    ['GET', '/metrics', { anonymous: true }],
  ];
  // Each waits for the store client to give up (a few reconnect attempts): all at once.
  const answers = await Promise.all(
    requests.map(async ([method, url, opts]) => [
      url,
      (await call(method, url, { ...opts, target: deadApp })).statusCode,
    ]),
  );
  expect(answers).toEqual(requests.map(([, url]) => [url, 503]));
  expect((await call('GET', '/healthz', { target: deadApp, anonymous: true })).statusCode).toBe(200);
});

test('unknown and malformed ids are 404 on every id route, whatever the id', async () => {
  const idRoutes: Array<[string, (id: string) => string]> = [
    ['GET', (id) => `/v1/campaigns/${id}`],
    ['GET', (id) => `/v1/campaigns/${id}/report`],
    ['GET', (id) => `/v1/campaigns/${id}/rejected?format=json`],
    ...['pause', 'resume', 'cancel', 'retry-failed'].map((a): [string, (id: string) => string] => [
      'POST',
      (id) => `/v1/campaigns/${id}/${a}`,
    ]),
    ['GET', (id) => `/v1/messages/${id}`],
  ];
  const fixed = ['nope', 'c000000000000000', 'C0000000000000000', 'c0000000000000000-0', 'x'.repeat(300), '%ZZ', '..'];
  for (const [method, path] of idRoutes) {
    for (const id of fixed) {
      const url = path(id);
      const res = await app.inject({ method: method as 'GET', url, headers: auth });
      expect([url, res.statusCode, res.json().error.code]).toEqual([url, 404, 'NOT_FOUND']);
      // `..` is resolved away by URL parsing: the answer belongs to no documented route.
      if (operationOf(method, url)) conforms(method, url, res);
      else expectValid(errorSchema(), res.json(), url);
    }
  }
  await fc.assert(
    fc.asyncProperty(
      fc.string({ minLength: 1, maxLength: 120, unit: 'binary' }),
      fc.nat(idRoutes.length - 1),
      async (id, r) => {
        const [method, path] = idRoutes[r]!;
        const url = path(encodeURIComponent(id));
        const res = await app.inject({ method: method as 'GET', url, headers: auth });
        expect([url, res.statusCode, res.json().error.code]).toEqual([url, 404, 'NOT_FOUND']);
      },
    ),
    { numRuns: 200 },
  );
});

test('answers made outside the routes keep the error shape: basic auth, unknown routes, 431 and 400', async () => {
  for (const url of ['/admin/queues', '/admin/queues/api/queues', '/ui', '/nowhere']) {
    const res = await app.inject({ url });
    expectValid(errorSchema(), res.json(), url);
    expect(res.statusCode).toBe(url === '/nowhere' ? 404 : 401);
  }
  const basic = { authorization: `Basic ${Buffer.from('ops:wrong').toString('base64')}` };
  const wrong = await app.inject({ url: '/admin/queues', headers: basic });
  expect([wrong.statusCode, wrong.json().error.code, wrong.headers['www-authenticate']]).toEqual([
    401,
    'UNAUTHORIZED',
    expect.stringMatching(/^Basic /),
  ]);

  // Node's parser answers these before fastify sees a request: only a real socket shows them.
  const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
  const rawHttp = (request: string) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = text.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) });
      });
    });
  const tooLarge = await rawHttp(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  expect(tooLarge).toEqual({
    status: 431,
    body: { error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String) } },
  });
  const garbage = await rawHttp('NOT HTTP AT ALL\r\n\r\n');
  expect(garbage).toEqual({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.any(String) } } });
});

test('every documented status of every route was produced and matched (500 aside)', () => {
  const missing: string[] = [];
  for (const [template, item] of Object.entries(spec.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(item)) {
      for (const status of Object.keys(op.responses)) {
        const key = `${method.toUpperCase()} ${template} ${status}`;
        if (status !== '500' && !observed.has(key)) missing.push(key);
      }
    }
  }
  expect(missing).toEqual([]);
});

/** The error body's schema as the document gives it (any route's 401 will do). */
function errorSchema(): Json {
  return resolved.paths['/v1/campaigns'].get.responses['401'].content['application/json'].schema;
}
